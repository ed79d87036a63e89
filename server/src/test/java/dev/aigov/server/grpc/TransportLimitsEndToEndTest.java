package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Oversized headers and health names: answered with a gRPC status that says what is wrong, never UNKNOWN or INTERNAL. */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
class TransportLimitsEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    TransportLimitsEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 9 * 1024, 32 * 1024, 60 * 1024, 63 * 1024})
    void anOversizedAuthorizationHeaderWithinTheLimitIsUnauthenticated(int size) {
        StatusRuntimeException refused = callWithAuthorization("Bearer " + "x".repeat(size));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refused.getStatus().getDescription()).hasSizeLessThan(200);
    }

    /**
     * Beyond NettyTransport.MAX_INBOUND_METADATA_BYTES the call never reaches aigov: the server
     * advertises the limit (SETTINGS_MAX_HEADER_LIST_SIZE) and a grpc-java client refuses to send
     * the headers, failing the call locally with INTERNAL "http2 exception": what the README says.
     */
    @ParameterizedTest
    @ValueSource(ints = {65 * 1024, 100 * 1024, 1024 * 1024})
    void aHeaderListBeyondTheLimitIsRefusedByTheClientsTransportAsTheReadmeSays(int size) {
        StatusRuntimeException refused = callWithAuthorization("Bearer " + "x".repeat(size));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(refused.getStatus().getDescription()).isEqualTo("http2 exception");
        assertThat(refused.getCause()).hasMessageContaining("Header size exceeded max allowed size (65536)");
    }

    @Test
    void aHealthCheckForAnOversizedServiceNameIsABriefInvalidArgument() {
        for (String name : new String[]{"x".repeat(HealthRequests.MAX_SERVICE_NAME + 1), "x".repeat(512 * 1024), "no spaces", "ünïcode"}) {
            StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> health().check(HealthCheckRequest.newBuilder().setService(name).build()));

            assertThat(refused).isNotNull();
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).hasSizeLessThan(200);
        }
    }

    @Test
    void aHealthWatchForAnOversizedServiceNameIsABriefInvalidArgument() {
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                () -> health().watch(HealthCheckRequest.newBuilder().setService("x".repeat(512 * 1024)).build()).next());

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(refused.getStatus().getDescription()).hasSizeLessThan(200);
    }

    @Test
    void plausibleHealthNamesAreAnsweredAsBefore() {
        assertThat(health().check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health().check(HealthCheckRequest.newBuilder().setService("aigov.v1.DecisionService").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        StatusRuntimeException unknown = catchThrowableOfType(StatusRuntimeException.class,
                () -> health().check(HealthCheckRequest.newBuilder().setService("aigov.v1.NoSuchService").build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void theConnectionStillServesAfterAnOversizedHealthName() {
        // Whatever the oversized call answers, the connection must serve the next one.
        var unusedAnswer = catchThrowableOfType(StatusRuntimeException.class,
                () -> health().check(HealthCheckRequest.newBuilder().setService("x".repeat(512 * 1024)).build()));

        assertThat(health().check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    private HealthGrpc.HealthBlockingStub health() {
        return HealthGrpc.newBlockingStub(clients.channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    /** A fresh connection per attempt: the transport may close the one it refused a header on. */
    private StatusRuntimeException callWithAuthorization(String value) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
            return catchThrowableOfType(StatusRuntimeException.class, () -> DecisionServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listUseCases(ListUseCasesRequest.getDefaultInstance()));
        } finally {
            channel.shutdownNow();
        }
    }
}
