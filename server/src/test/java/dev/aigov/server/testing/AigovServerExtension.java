package dev.aigov.server.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives an end-to-end test class its own real server on the run's shared database, a channel to
 * it and an admin token, as an {@link Aigov} constructor or method parameter (or a {@link TestServer}
 * or {@link Clients} one).
 *
 * <p>One server per test class, not per test method: a start costs a state load and a listener
 * connection, and a server per method would make CI markedly slower. Tests in a class isolate
 * themselves by fresh workspace ids and uniquely named tokens. The server lives in the class's
 * {@link ExtensionContext.Store}, which closes it (channel first) after the class's last test.
 */
public final class AigovServerExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AigovServerExtension.class);

    /** The class's server, a channel to it and a token with every capability for every workspace. */
    public record Aigov(TestServer server, Clients clients, String admin) implements AutoCloseable {
        static Aigov start() {
            TestServer server = TestServer.start();
            return new Aigov(server, new Clients(server), server.adminToken());
        }

        @Override
        public void close() {
            clients.close();
            server.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(Aigov.class, Aigov.start());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Aigov.class || type == TestServer.class || type == Clients.class;
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
