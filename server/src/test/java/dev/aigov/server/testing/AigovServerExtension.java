package dev.aigov.server.testing;

import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.storage.Database;
import dev.aigov.server.telemetry.Telemetry;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives an end-to-end test class its own real server, a channel to it and an admin token, as an
 * {@link Aigov} constructor or method parameter (or a {@link TestServer}, {@link Clients},
 * {@link TwoReplicas} or, on a private database, {@link TestDatabase} one). Use it through
 * {@link WithAigovServer}, or register {@link #configured} with {@code @RegisterExtension}.
 *
 * <p>One server per test class, not per test method: a start loads the state, opens a listener
 * connection and starts the audit writer, and a server per method would make CI markedly slower.
 * Tests of a class isolate themselves by fresh workspace ids and uniquely named tokens; a test
 * whose subject is one particular server (a TLS setup, a stop, a crash) starts that server itself.
 * The server lives in the class's {@link ExtensionContext.Store}, which closes it (channels,
 * servers, then any private database) after the class's last test.
 */
public final class AigovServerExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AigovServerExtension.class);

    /** How the class's servers start; empty when they are read from the class's {@link WithAigovServer}. */
    private final Optional<Options> options;

    /** Registered by {@link WithAigovServer}, which says how to start the server. */
    public AigovServerExtension() {
        this.options = Optional.empty();
    }

    private AigovServerExtension(Options options) {
        this.options = Optional.of(options);
    }

    /**
     * For {@code @RegisterExtension}: one server on the shared database over {@code transport}, its
     * configuration adjusted (TLS, limits, the hot path, telemetry) and {@code outermost} run before
     * authentication (to inject faults).
     */
    public static AigovServerExtension configured(WithAigovServer.Transport transport, UnaryOperator<ServerConfig> adjust,
            ServerInterceptor... outermost) {
        return new AigovServerExtension(new Options(transport, false, 1, adjust, List.of(outermost)));
    }

    private record Options(WithAigovServer.Transport transport, boolean privateDatabase, int replicas,
            UnaryOperator<ServerConfig> adjust, List<ServerInterceptor> outermost) {
        Options {
            if (replicas < 1 || replicas > 2) {
                throw new IllegalArgumentException("replicas must be 1 or 2 (got " + replicas + ")");
            }
        }

        static Options of(WithAigovServer annotation) {
            TelemetryConfig metrics = new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty());
            UnaryOperator<ServerConfig> withMetrics = annotation.metrics() ? config -> config.withTelemetry(metrics) : config -> config;
            UnaryOperator<ServerConfig> adjust = annotation.http()
                    ? config -> withMetrics.apply(config).withHttpPort(ServerConfig.ANY_FREE_PORT)
                    : withMetrics;
            return new Options(annotation.transport(), annotation.privateDatabase(), annotation.replicas(), adjust, List.of());
        }
    }

    /**
     * The class's server, a channel to it and a token with every capability for every workspace.
     *
     * @param privateDatabase the database the server runs on when the class asked for its own
     */
    public record Aigov(TestServer server, Clients clients, String admin, Optional<TestDatabase> privateDatabase) {
    }

    /** What a class's servers are, closed after its last test: channels, servers, then a private database. */
    private record Started(List<Aigov> replicas, Optional<TestDatabase> privateDatabase) implements AutoCloseable {
        static Started start(Options options) {
            Optional<TestDatabase> privateDatabase =
                    options.privateDatabase() ? Optional.of(TestDatabase.startPrivate()) : Optional.empty();
            Database database = privateDatabase.map(TestDatabase::database).orElseGet(TestDatabase::shared);
            Started started = new Started(new ArrayList<>(), privateDatabase);
            try {
                for (int i = 0; i < options.replicas(); i++) {
                    TestServer server = TestServer.start(options.transport(), database, options.adjust(),
                            config -> Telemetry.start(config.telemetry()), options.outermost());
                    started.replicas().add(new Aigov(server, new Clients(server), server.adminToken(), privateDatabase));
                }
                return started;
            } catch (RuntimeException | Error failed) {
                started.close();
                throw failed;
            }
        }

        Aigov only() {
            if (replicas.size() != 1) {
                throw new IllegalStateException("this class has " + replicas.size() + " replicas: ask for TwoReplicas");
            }
            return replicas.get(0);
        }

        TwoReplicas two() {
            if (replicas.size() != 2) {
                throw new IllegalStateException("a TwoReplicas parameter needs @WithAigovServer(replicas = 2)");
            }
            Aigov a = replicas.get(0);
            Aigov b = replicas.get(1);
            return new TwoReplicas(a.server(), b.server(), a.clients(), b.clients(), a.admin());
        }

        @Override
        public void close() {
            replicas.forEach(replica -> replica.clients().close());
            replicas.forEach(replica -> replica.server().close());
            privateDatabase.ifPresent(TestDatabase::close);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        started(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Aigov.class || type == TestServer.class || type == Clients.class || type == TwoReplicas.class
                || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Started started = started(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == TwoReplicas.class) {
            return started.two();
        }
        if (type == TestDatabase.class) {
            return started.privateDatabase().orElseThrow(
                    () -> new IllegalStateException("a TestDatabase parameter needs @WithAigovServer(privateDatabase = true)"));
        }
        Aigov aigov = started.only();
        if (type == TestServer.class) {
            return aigov.server();
        }
        if (type == Clients.class) {
            return aigov.clients();
        }
        return aigov;
    }

    /**
     * The class's servers, started on first need: before its first test, or earlier when a
     * per-class test instance asks for them in its constructor.
     */
    private Started started(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Started.class,
                key -> Started.start(options.orElseGet(() -> Options.of(annotationOn(testClass)))), Started.class);
    }

    private static WithAigovServer annotationOn(Class<?> testClass) {
        return AnnotationSupport.findAnnotation(testClass, WithAigovServer.class).orElseThrow(() -> new IllegalStateException(
                "register AigovServerExtension through @WithAigovServer or AigovServerExtension.configured"));
    }
}
