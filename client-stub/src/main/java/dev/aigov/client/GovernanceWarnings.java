package dev.aigov.client;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs a failure that the calling service must fix (its token, its code, its aigov-client
 * version) once per cause at WARN, saying what to fix: the first block says it, the next thousand
 * do not repeat it. Outages are not logged here: they are counted by whoever watches the blocks.
 */
final class GovernanceWarnings {

    /** Enough for every field and capability there is; a flood of distinct causes stops here. */
    static final int MAX_CAUSES = 256;

    private static final System.Logger LOG = System.getLogger(AiGovernanceClient.class.getName());

    private final Set<List<String>> warned = ConcurrentHashMap.newKeySet();

    void onFailure(GovernanceFailure failure) {
        String receipt = failure.errorMetadata().get("receipt");
        if (failure.kind() == FailureKind.UNAVAILABLE && receipt != null && !receipt.equals("keys_unavailable")
                && !receipt.equals("expired")) {
            // A receipt that does not verify is a misconfiguration (keys, policy) or an attack: say it once.
            if (warned.size() < MAX_CAUSES && warned.add(List.of("receipt", receipt))) {
                LOG.log(Level.WARNING, "aigov-client blocked an ALLOW whose receipt it could not verify ({0}): check the "
                        + "trusted keys (AiGovernanceClientBuilder.trustedKeys) and the receipt policy (ReceiptPolicy.OFF for a "
                        + "server without evidence). Logged once per cause.", failure);
            }
            return;
        }
        if (failure.kind() == FailureKind.UNAVAILABLE) {
            return;
        }
        // What varies per call (a retry-after, a current version) is not part of the cause.
        List<String> cause = List.of(failure.kind().name(), failure.code().name(), failure.errorReasonName(),
                failure.errorMetadata().getOrDefault("field", ""),
                failure.errorMetadata().getOrDefault("capability", ""));
        if (warned.size() < MAX_CAUSES && warned.add(cause)) {
            LOG.log(Level.WARNING, "aigov blocks every decision that hits this until it is fixed ({0}): {1}. "
                    + "Logged once per cause.", failure, whatToFix(failure));
        }
    }

    static String whatToFix(GovernanceFailure failure) {
        String field = failure.errorMetadata().getOrDefault("field", "?");
        return switch (failure.errorReason()) {
            case MISSING_CREDENTIAL -> "the client sent no bearer token: give the builder one with bearerToken(...)";
            case INVALID_CREDENTIAL -> "the bearer token is unknown, malformed or revoked: mint a new one "
                    + "(aigov-server token create) and configure it";
            case MISSING_CAPABILITY -> "the token lacks the capability '" + failure.errorMetadata().getOrDefault("capability", "?")
                    + "': use a token that has it";
            case WORKSPACE_NOT_PERMITTED -> "the token's capability is limited to other workspaces than the one in field '"
                    + field + "': use a token for that workspace, or check the workspace id the code sends";
            case TOO_MANY_FAILED_AUTHENTICATIONS -> "this host failed to authenticate too often: fix the bearer token";
            case INVALID_FIELD -> "field '" + field + "' of the request is invalid (" + failure.description()
                    + "): fix the calling code";
            case REQUEST_ID_REUSED -> "a request id was reused for a different request: give each request its own id";
            default -> switch (failure.kind()) {
                case REJECTED_CALLER -> "the caller was refused: check the bearer token and its capabilities";
                case REJECTED_REQUEST -> "the request was refused as sent: fix the calling code";
                case CLIENT_OUTDATED -> "upgrade aigov-client (this is " + ClientVersion.VERSION + ")";
                case UNAVAILABLE -> "nothing";
            };
        };
    }
}
