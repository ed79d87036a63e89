package dev.aigov.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class gets a server of its own from {@link AigovServerExtension}, started as this says.
 * A class that needs what an annotation cannot carry (an adjusted configuration, fault-injecting
 * interceptors) registers {@link AigovServerExtension#configured} with {@code @RegisterExtension} instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(AigovServerExtension.class)
public @interface WithAigovServer {
    /** How clients reach the server. */
    enum Transport {
        /** By name, no socket: for what the services answer (policies, controls, audit, decisions, errors). */
        IN_PROCESS,
        /** Netty over loopback: where the socket is the point (TLS, transport limits, peer addresses, crashes, outages, real clients). */
        NETTY
    }

    /** In process unless the test is about the socket. */
    Transport transport() default Transport.IN_PROCESS;

    /** On a PostgreSQL of the class's own (for a test that stops it, breaks it or pauses AI globally), not the run's shared one. */
    boolean privateDatabase() default false;

    /** Serves {@code /metrics} on a free loopback port ({@link TestServer#metricsPort()}). */
    boolean metrics() default false;

    /** Serves the Connect (HTTP/JSON) port on a free loopback port ({@link TestServer#httpPort()}); off otherwise. */
    boolean http() default false;

    /** How many servers (replicas) on the one database; with two, the class asks for {@link TwoReplicas}. */
    int replicas() default 1;
}
