package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.server.error.NotAuthenticated;
import dev.aigov.server.identity.Tokens;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * A call's bearer token is read and hashed once, on the Context grpc-java builds before it chooses
 * the executor, and the executor choice and authentication share it.
 */
class BearerTokenTest {
    private static final String TOKEN = "aigov_" + "t".repeat(43);

    @Test
    void theExecutorChoiceAndAuthenticationShareOneTokenHashedOnce() throws Exception {
        List<BearerToken> seen = new CopyOnWriteArrayList<>();
        List<byte[]> hashes = new CopyOnWriteArrayList<>();
        ServerCallExecutorSupplier choosing = new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                BearerToken token = BearerToken.of(headers);
                seen.add(token);
                hashes.add(token.wellFormedHash().orElseThrow());
                return null;
            }
        };
        ServerInterceptor authenticating = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                BearerToken token = BearerToken.of(headers);
                seen.add(token);
                hashes.add(token.hash());
                return next.startCall(call, headers);
            }
        };
        String name = "bearer-" + UUID.randomUUID();
        Server server = InProcessServerBuilder.forName(name).executor(Runnable::run).callExecutor(choosing)
                .addStreamTracerFactory(BearerToken.onEachCall())
                .addService(ServerInterceptors.interceptForward(new UseCases(), authenticating))
                .build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            Metadata headers = new Metadata();
            headers.put(BearerToken.AUTHORIZATION, "Bearer " + TOKEN);
            DecisionServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .listUseCases(ListUseCasesRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }

        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isSameAs(seen.get(0));
        // The same array: computed once, not twice to the same value.
        assertThat(hashes.get(1)).isSameAs(hashes.get(0)).isEqualTo(Tokens.hash(TOKEN));
    }

    @Test
    void aMissingOrMalformedHeaderIsRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> outsideACall(null).hash()).isInstanceOfSatisfying(NotAuthenticated.class,
                refusal -> assertThat(refusal.missing()).isTrue()).hasMessageStartingWith("missing credential");
        assertThatThrownBy(() -> outsideACall("Basic " + TOKEN).hash()).isInstanceOfSatisfying(NotAuthenticated.class,
                refusal -> assertThat(refusal.missing()).isFalse()).hasMessage("the authorization header must be 'Bearer <token>'");
        assertThatThrownBy(() -> outsideACall("Bearer aigov_short").hash()).isInstanceOf(NotAuthenticated.class)
                .hasMessageStartingWith("the bearer token is not an aigov token");
        assertThat(outsideACall("Bearer aigov_short").wellFormedHash()).isEmpty();
        assertThat(outsideACall("bearer  " + TOKEN + " ").hash()).isEqualTo(Tokens.hash(TOKEN));
    }

    private static BearerToken outsideACall(String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(BearerToken.AUTHORIZATION, authorization);
        }
        return BearerToken.of(headers);
    }

    private static final class UseCases extends DecisionServiceGrpc.DecisionServiceImplBase {
        @Override
        public void listUseCases(ListUseCasesRequest request, StreamObserver<ListUseCasesResponse> observer) {
            observer.onNext(ListUseCasesResponse.getDefaultInstance());
            observer.onCompleted();
        }
    }
}
