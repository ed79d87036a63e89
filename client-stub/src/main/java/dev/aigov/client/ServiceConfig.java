package dev.aigov.client;

import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import java.util.List;
import java.util.Map;

/**
 * The channel's gRPC service config: round-robin over every address the name resolves to, and
 * retries of UNAVAILABLE for every aigov method. A retry re-sends the same message, so it carries
 * the same request_id and the server answers it with the first decision instead of a second one.
 * Numbers are doubles because that is how gRPC reads a JSON-shaped config.
 */
final class ServiceConfig {

    private ServiceConfig() {
    }

    static Map<String, Object> forAigov(int maxAttempts) {
        List<Map<String, Object>> services = List.of(
                Map.of("service", DecisionServiceGrpc.SERVICE_NAME),
                Map.of("service", WorkspacePolicyServiceGrpc.SERVICE_NAME),
                Map.of("service", ExecutionControlServiceGrpc.SERVICE_NAME),
                Map.of("service", AuditServiceGrpc.SERVICE_NAME));
        Map<String, Object> methodConfig = maxAttempts < 2
                ? Map.of("name", services)
                : Map.of("name", services, "retryPolicy", Map.of(
                        "maxAttempts", (double) maxAttempts,
                        "initialBackoff", "0.02s",
                        "maxBackoff", "0.2s",
                        "backoffMultiplier", 2.0,
                        "retryableStatusCodes", List.of("UNAVAILABLE")));
        return Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "methodConfig", List.of(methodConfig),
                // In an outage, stop retrying once most attempts fail, instead of multiplying the load.
                "retryThrottling", Map.of("maxTokens", 10.0, "tokenRatio", 0.1));
    }
}
