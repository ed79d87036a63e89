package dev.aigov.server.testing;

import dev.aigov.server.config.TelemetryConfig;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.Optional;

/**
 * Gives an end-to-end test class its own real server, a channel to it and an admin token, as an
 * {@link Aigov} constructor or method parameter (or a {@link TestServer}, {@link Clients} or, on a
 * private database, {@link TestDatabase} one). Use it through {@link WithAigovServer}.
 *
 * <p>One server per test class, not per test method: a start loads the state and opens a listener
 * connection, and a server per method would make CI markedly slower. Tests of a class isolate
 * themselves by fresh workspace ids and uniquely named tokens. The server lives in the class's
 * {@link ExtensionContext.Store}, which closes it (channel, server, then any private database)
 * after the class's last test.
 */
public final class AigovServerExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AigovServerExtension.class);

    /**
     * The class's server, a channel to it and a token with every capability for every workspace.
     *
     * @param privateDatabase the database the server runs on when the class asked for its own
     */
    public record Aigov(TestServer server, Clients clients, String admin, Optional<TestDatabase> privateDatabase)
            implements AutoCloseable {
        static Aigov start(WithAigovServer options) {
            if (options.transport() == WithAigovServer.Transport.IN_PROCESS && (options.metrics() || options.privateDatabase())) {
                throw new IllegalArgumentException("metrics and a private database are for transport = NETTY (outages, the /metrics port)");
            }
            Optional<TestDatabase> privateDatabase = options.privateDatabase() ? Optional.of(TestDatabase.startPrivate()) : Optional.empty();
            var database = privateDatabase.map(TestDatabase::database).orElseGet(TestDatabase::shared);
            TestServer server = options.transport() == WithAigovServer.Transport.IN_PROCESS
                    ? TestServer.startInProcess(database)
                    : options.metrics()
                    ? TestServer.startAdjusted(database, config -> config.withTelemetry(
                            new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty())))
                    : TestServer.startOn(database);
            return new Aigov(server, new Clients(server), server.adminToken(), privateDatabase);
        }

        @Override
        public void close() {
            clients.close();
            server.close();
            privateDatabase.ifPresent(TestDatabase::close);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        WithAigovServer options = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), WithAigovServer.class)
                .orElseThrow(() -> new IllegalStateException("register AigovServerExtension through @WithAigovServer"));
        context.getStore(NAMESPACE).put(Aigov.class, Aigov.start(options));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Aigov.class || type == TestServer.class || type == Clients.class || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Aigov aigov = aigov(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == TestServer.class) {
            return aigov.server();
        }
        if (type == Clients.class) {
            return aigov.clients();
        }
        if (type == TestDatabase.class) {
            return aigov.privateDatabase().orElseThrow(() ->
                    new IllegalStateException("a TestDatabase parameter needs @WithAigovServer(privateDatabase = true)"));
        }
        return aigov;
    }

    /** The class's server: a method's store finds it in its class's, the parent. */
    private static Aigov aigov(ExtensionContext context) {
        Aigov aigov = context.getStore(NAMESPACE).get(Aigov.class, Aigov.class);
        if (aigov == null) {
            throw new IllegalStateException("no server: register AigovServerExtension on the class, not a method");
        }
        return aigov;
    }
}
