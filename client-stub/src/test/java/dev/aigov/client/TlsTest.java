package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.TestCertificates;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with a custom CA, and mutual TLS with a client certificate, against a server that requires
 * one. The certificates are minted for each test (localhost and 127.0.0.1) by a throwaway CA.
 */
class TlsTest {

    /** A cold TLS handshake on a loaded machine can take longer than the default deadline. */
    private static final Duration HANDSHAKE_TIME = Duration.ofSeconds(10);

    private TestCertificates certificates;
    private FakeDecisionServer server;

    @BeforeEach
    void start(@TempDir Path directory) throws IOException {
        certificates = TestCertificates.createIn(directory);
        ServerCredentials mutualTls = TlsServerCredentials.newBuilder()
                .keyManager(certificates.serverCertificate().toFile(), certificates.serverKey().toFile())
                .trustManager(certificates.caCertificate().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
        server = FakeDecisionServer.start(mutualTls);
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
    }

    @Test
    void mutualTlsWithTheCustomCaAndAClientCertificateGetsTheAnswer() {
        try (AiGovernanceClient client = AiGovernanceClient.builder("dns:///localhost:" + server.port())
                .bearerToken("t")
                .trustedCertificates(certificates.caCertificate())
                .clientCertificate(certificates.clientCertificate(), certificates.clientKey())
                .deadline(HANDSHAKE_TIME)
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.allowed()).isTrue();
            assertThat(server.headers).singleElement()
                    .satisfies(h -> assertThat(h.get(BearerTokenCredentials.AUTHORIZATION)).isEqualTo("Bearer t"));
        }
    }

    @Test
    void withoutTheClientCertificateItIsABlock() {
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target())
                .bearerToken("t")
                .trustedCertificates(certificates.caCertificate())
                .deadline(HANDSHAKE_TIME)
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsABlock(@TempDir Path elsewhere) {
        TestCertificates otherCa = TestCertificates.createIn(elsewhere);
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target())
                .bearerToken("t")
                .trustedCertificates(otherCa.caCertificate())
                .clientCertificate(certificates.clientCertificate(), certificates.clientKey())
                .deadline(HANDSHAKE_TIME)
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void plaintextToATlsServerIsABlock() {
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target())
                .bearerToken("t")
                .plaintext()
                .deadline(HANDSHAKE_TIME)
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }
}
