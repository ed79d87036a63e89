package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS with a custom CA, and mutual TLS with a client certificate, against a server that requires
 * one. The test certificates (src/test/resources/tls) name localhost and 127.0.0.1.
 */
class TlsTest {

    /** A cold TLS handshake on a loaded machine can take longer than the default deadline. */
    private static final Duration HANDSHAKE_TIME = Duration.ofSeconds(10);

    private FakeDecisionServer server;

    @BeforeEach
    void start() throws IOException {
        ServerCredentials mutualTls = TlsServerCredentials.newBuilder()
                .keyManager(tls("server.pem").toFile(), tls("server.key").toFile())
                .trustManager(tls("ca.pem").toFile())
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
                .trustedCertificates(tls("ca.pem"))
                .clientCertificate(tls("client.pem"), tls("client.key"))
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
                .trustedCertificates(tls("ca.pem"))
                .deadline(HANDSHAKE_TIME)
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(Status.Code.UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsABlock() {
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target())
                .bearerToken("t")
                .trustedCertificates(tls("other-ca.pem"))
                .clientCertificate(tls("client.pem"), tls("client.key"))
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void plaintextToATlsServerIsABlock() {
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target())
                .bearerToken("t")
                .plaintext()
                .build()) {
            AiDecision decision = client.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(server.requests).isEmpty();
        }
    }

    private static Path tls(String name) {
        try {
            return Path.of(TlsTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
