package dev.aigov.bench;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Waits, up to a deadline, until a server's health service reports SERVING: what scripts start with. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Wait until the server reports SERVING for a service (exit 0), or give up at --wait (exit 1).")
final class HealthCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "HOST:PORT")
    String target;

    @Option(names = "--service", defaultValue = "aigov.v1.DecisionService",
            description = "The grpc.health.v1 service name; \"\" is liveness (default ${DEFAULT-VALUE}: ready, database reachable).")
    String service;

    @Option(names = "--wait", defaultValue = "60s", converter = DurationConverter.class,
            description = "Give up after this long (default ${DEFAULT-VALUE}).")
    Duration wait;

    @Mixin
    TargetOptions transport;

    @Spec
    CommandSpec spec;

    /** Between polls: a refused connection answers at once, and a server starting needs no hammering. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    @Override
    public Integer call() {
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "no answer";
        try (Target server = Target.connect(target, transport.tlsCa(), 1)) {
            while (System.nanoTime() < deadline) {
                try {
                    ServingStatus status = server.health().withDeadlineAfter(1, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
                    if (status == ServingStatus.SERVING) {
                        spec.commandLine().getOut().println(target + " " + service + ": SERVING");
                        spec.commandLine().getOut().flush();
                        return 0;
                    }
                    last = status.name();
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().getCode().name();
                }
                Window.parkUntil(Math.min(deadline, System.nanoTime() + POLL_INTERVAL.toNanos()));
            }
        }
        spec.commandLine().getErr()
                .println("error: " + target + " " + service + " not SERVING after " + wait.toSeconds() + " s (last: " + last + ")");
        return 1;
    }
}
