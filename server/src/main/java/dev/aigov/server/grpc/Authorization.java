package dev.aigov.server.grpc;

import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.error.PermissionDenied;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which capability each method of aigov's services needs, in one table, checked here and nowhere
 * else: right after authentication, before any handler runs. A method the table does not name is
 * refused (fail closed), and a server whose services have such a method does not start. Whether
 * the capability reaches the workspace a request names is for the services, which read it.
 *
 * <p>A refusal is answered once the request has arrived, so that a request that is no message is
 * still INVALID_ARGUMENT, and a refused mutation is audited with the workspace it named.
 */
public final class Authorization implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(Authorization.class);

    /** One method's row: the capability it needs (empty: any valid token), and for a mutation the workspace its request names. */
    record Rule(Optional<Capability> capability, Optional<Function<Object, String>> mutatedWorkspace) {
    }

    /** Every method of every aigov service, by full name. */
    private static final Map<String, Rule> TABLE = Map.ofEntries(
            anyToken(DecisionServiceGrpc.getListUseCasesMethod()),
            needs(DecisionServiceGrpc.getEvaluateAiRequestMethod(), Capability.AI_DECISIONS_EVALUATE),
            needs(WorkspacePolicyServiceGrpc.getGetWorkspacePolicyMethod(), Capability.WORKSPACE_AI_POLICY_VIEW),
            mutation(WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod(), Capability.WORKSPACE_AI_POLICY_MANAGE,
                    SetWorkspacePolicyRequest::getWorkspaceId),
            needs(WorkspacePolicyServiceGrpc.getPreviewWorkspacePolicyChangeMethod(), Capability.WORKSPACE_AI_POLICY_VIEW),
            needs(ExecutionControlServiceGrpc.getGetExecutionControlMethod(), Capability.OPS_CONTROLS_VIEW),
            needs(ExecutionControlServiceGrpc.getPreviewExecutionControlChangeMethod(), Capability.OPS_CONTROLS_VIEW),
            needs(ExecutionControlServiceGrpc.getListExecutionControlHistoryMethod(), Capability.OPS_CONTROLS_VIEW),
            mutation(ExecutionControlServiceGrpc.getSetExecutionControlMethod(), Capability.OPS_CONTROLS_MANAGE,
                    SetExecutionControlRequest::getWorkspaceId),
            needs(AuditServiceGrpc.getListAuditEventsMethod(), Capability.AUDIT_READ),
            needs(AuditServiceGrpc.getExportAuditEventsMethod(), Capability.AUDIT_READ));

    private final DeniedMutations deniedMutations;

    public Authorization(DeniedMutations deniedMutations) {
        this.deniedMutations = deniedMutations;
    }

    /** The row of a method; empty for one the table does not name. */
    static Optional<Rule> ruleFor(String fullMethodName) {
        return Optional.ofNullable(TABLE.get(fullMethodName));
    }

    /** The methods the table names. */
    static Set<String> methods() {
        return TABLE.keySet();
    }

    /** Whether a refusal of this method (of its credential too) is audited: it changes something. */
    static boolean isMutation(String fullMethodName) {
        return ruleFor(fullMethodName).flatMap(Rule::mutatedWorkspace).isPresent();
    }

    /** Throws unless the table names every method of {@code service}: such a server must not start. */
    static void requireRowsFor(ServiceDescriptor service) {
        List<String> missing = service.getMethods().stream().map(MethodDescriptor::getFullMethodName)
                .filter(method -> !TABLE.containsKey(method)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no capability is declared for " + missing + " (grpc.Authorization)");
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Rule rule = TABLE.get(method);
        if (rule == null) {
            LOG.error("{} is not in the table of capabilities (grpc.Authorization); every call of it is refused", method);
            StatusMapping.close(call, StatusMapping.unavailable(method + " is not served: no capability is declared for it; "
                    + "the failure was logged."));
            return new ServerCall.Listener<>() {
            };
        }
        if (rule.capability().isEmpty()) {
            return next.startCall(call, headers);
        }
        Capability needed = rule.capability().get();
        Principal principal = AuthInterceptor.currentPrincipal();
        if (principal.holds(needed)) {
            return next.startCall(call, headers);
        }
        PermissionDenied refusal = PermissionDenied.missingCapability(principal.name(), needed.key());
        // The handler never starts: the call is answered here once its request has arrived (asked
        // for here, since no handler will ask), or once the client has sent all it will.
        ServerCall.Listener<Q> refusing = new ServerCall.Listener<>() {
            private boolean answered;

            @Override
            public void onMessage(Q request) {
                answer(rule.mutatedWorkspace().map(workspace -> workspace.apply(request)));
            }

            @Override
            public void onHalfClose() {
                answer(Optional.of(""));
            }

            private void answer(Optional<String> workspace) {
                if (answered) {
                    return;
                }
                answered = true;
                if (rule.mutatedWorkspace().isPresent()) {
                    Calls.recordDenied(deniedMutations, method, refusal, principal, workspace.orElse(""));
                }
                StatusMapping.close(call, StatusMapping.toStatus(refusal));
            }
        };
        call.request(1);
        return refusing;
    }

    private static Map.Entry<String, Rule> anyToken(MethodDescriptor<?, ?> method) {
        return Map.entry(method.getFullMethodName(), new Rule(Optional.empty(), Optional.empty()));
    }

    private static Map.Entry<String, Rule> needs(MethodDescriptor<?, ?> method, Capability capability) {
        return Map.entry(method.getFullMethodName(), new Rule(Optional.of(capability), Optional.empty()));
    }

    @SuppressWarnings("unchecked") // the interceptor applies it to this method's requests only
    private static <Q> Map.Entry<String, Rule> mutation(MethodDescriptor<Q, ?> method, Capability capability,
            Function<Q, String> workspace) {
        Function<Object, String> ofRequest = request -> workspace.apply((Q) request);
        return Map.entry(method.getFullMethodName(), new Rule(Optional.of(capability), Optional.of(ofRequest)));
    }
}
