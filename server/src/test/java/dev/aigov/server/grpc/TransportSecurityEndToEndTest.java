package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestCertificates;
import dev.aigov.server.testing.TestServer;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC port speaks TLS, and mutual TLS when a client CA is configured. */
class TransportSecurityEndToEndTest {

    private static int useCases(ChannelCredentials credentials, TestServer server) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials).build();
        try {
            return Clients.withToken(DecisionServiceGrpc.newBlockingStub(channel), server.adminToken())
                    .listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void tlsServerAnswersClientsThatTrustItsCaAndRefusesPlaintext(@TempDir Path directory) throws Exception {
        TestCertificates certificates = TestCertificates.createIn(directory);
        try (TestServer server = TestServer.startTls(new ServerConfig.Tls(
                certificates.serverCertificate(), certificates.serverKey(), Optional.empty()))) {

            assertThat(useCases(TlsChannelCredentials.newBuilder().trustManager(certificates.caCertificate().toFile()).build(), server))
                    .isEqualTo(2);
            assertThatThrownBy(() -> useCases(InsecureChannelCredentials.create(), server))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    void mutualTlsServerRequiresAClientCertificateSignedByItsClientCa(@TempDir Path directory) throws Exception {
        TestCertificates certificates = TestCertificates.createIn(directory);
        try (TestServer server = TestServer.startTls(new ServerConfig.Tls(
                certificates.serverCertificate(), certificates.serverKey(), Optional.of(certificates.caCertificate())))) {

            assertThat(useCases(TlsChannelCredentials.newBuilder()
                    .trustManager(certificates.caCertificate().toFile())
                    .keyManager(certificates.clientCertificate().toFile(), certificates.clientKey().toFile())
                    .build(), server)).isEqualTo(2);
            assertThatThrownBy(() -> useCases(TlsChannelCredentials.newBuilder()
                    .trustManager(certificates.caCertificate().toFile()).build(), server))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }
}
