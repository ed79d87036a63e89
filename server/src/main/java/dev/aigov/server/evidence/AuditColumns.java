package dev.aigov.server.evidence;

import dev.aigov.core.BlockReason;
import dev.aigov.core.CatalogVersion;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Vocabulary;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An audit event as its row: each column's canonical text (docs/evidence.md) in
 * {@link EventEncoding#COLUMNS} order, null for NULL. The one place an event becomes columns: the
 * row written, its leaf encoding and its receipt all come from these values, so they cannot differ.
 */
public final class AuditColumns {
    private static final int COUNT = EventEncoding.COLUMNS.size();
    private static final int EVENT_ID = at("event_id");
    private static final int OCCURRED_AT = at("occurred_at");
    private static final int KIND = at("kind");
    private static final int WORKSPACE_ID = at("workspace_id");
    private static final int TENANT_ID = at("tenant_id");
    private static final int PRINCIPAL = at("principal");
    private static final int ACTOR_ID = at("actor_id");
    private static final int ACTOR_KIND = at("actor_kind");
    private static final int CALLER_SURFACE = at("caller_surface");
    private static final int CLIENT_VERSION = at("client_version");
    private static final int REQUEST_ID = at("request_id");
    private static final int DECISION_ID = at("decision_id");
    private static final int USE_CASE = at("use_case");
    private static final int PROVIDER_CLASS = at("provider_class");
    private static final int DATA_CLASSIFICATIONS = at("data_classifications");
    private static final int SOURCE_FAMILY = at("source_family");
    private static final int OUTCOME = at("outcome");
    private static final int REASON = at("reason");
    private static final int ALL_REASONS = at("all_reasons");
    private static final int REJECTED_CLASSIFICATIONS = at("rejected_classifications");
    private static final int POLICY_MODE = at("policy_mode");
    private static final int POLICY_VERSION = at("policy_version");
    private static final int CONTROL_STATE = at("control_state");
    private static final int CONTROL_VERSION = at("control_version");
    private static final int MESSAGE = at("message");
    private static final int CONTROL_KEY = at("control_key");
    private static final int BEFORE_VALUE = at("before_value");
    private static final int AFTER_VALUE = at("after_value");
    private static final int BEFORE_VERSION = at("before_version");
    private static final int AFTER_VERSION = at("after_version");
    private static final int CHANGED = at("changed");
    private static final int CHANGE_REASON = at("change_reason");
    private static final int METHOD = at("method");
    private static final int STATUS_CODE = at("status_code");
    private static final int ERROR_REASON = at("error_reason");
    private static final int CAPABILITY = at("capability");
    private static final int PEER = at("peer");
    private static final int REPEAT_COUNT = at("repeat_count");
    private static final int FIRST_OCCURRED_AT = at("first_occurred_at");
    private static final int LAST_OCCURRED_AT = at("last_occurred_at");
    private static final int PREVIEW_WINDOW_START = at("preview_window_start");
    private static final int PREVIEW_WINDOW_END = at("preview_window_end");
    private static final int PREVIEW_REPLAYED = at("preview_replayed");
    private static final int PREVIEW_ALLOW_TO_BLOCK = at("preview_allow_to_block");
    private static final int PREVIEW_BLOCK_TO_ALLOW = at("preview_block_to_allow");
    private static final int PREVIEW_CUT_SHORT = at("preview_cut_short");
    private static final int CATALOG_DIGEST = at("catalog_digest");
    private static final int CATALOG_LABEL = at("catalog_label");

    private AuditColumns() {
    }

    private static int at(String name) {
        return EventEncoding.COLUMNS.indexOf(EventEncoding.column(name));
    }

    /** The event's columns. Its times must be whole microseconds (the server's clock ticks in them). */
    public static Object[] of(AuditEvent event) {
        Object[] row = new Object[COUNT];
        AuditEvent.Header header = event.header();
        row[EVENT_ID] = header.eventId().toString();
        row[OCCURRED_AT] = EventEncoding.timestamp(header.occurredAt());
        row[WORKSPACE_ID] = optional(header.workspaceId());
        row[PRINCIPAL] = optional(header.principal());
        row[REQUEST_ID] = header.requestId().map(UUID::toString).orElse(null);
        switch (event) {
            case AuditEvent.DecisionMade made -> {
                DecisionRequest request = made.request();
                Decision decision = made.decision();
                row[KIND] = AuditRepository.DECISION;
                row[TENANT_ID] = optional(request.tenantId());
                row[ACTOR_ID] = request.actor().id();
                row[ACTOR_KIND] = request.actor().kind().word();
                row[CALLER_SURFACE] = optional(request.callerSurface());
                row[CLIENT_VERSION] = optional(request.clientVersion());
                row[DECISION_ID] = made.decisionId().toString();
                row[USE_CASE] = request.useCase();
                row[PROVIDER_CLASS] = request.providerClass().word();
                row[DATA_CLASSIFICATIONS] = words(request.dataClassifications());
                row[SOURCE_FAMILY] = request.sourceFamily();
                row[OUTCOME] = decision.outcome().word();
                row[REASON] = decision.reason().map(BlockReason::word).orElse(null);
                row[ALL_REASONS] = words(decision.allReasons());
                row[REJECTED_CLASSIFICATIONS] = words(decision.rejectedClassifications());
                row[POLICY_MODE] = decision.effectivePolicyMode().word();
                row[POLICY_VERSION] = Long.toString(decision.policyVersion());
                row[CONTROL_STATE] = decision.executionState().word();
                row[CONTROL_VERSION] = Long.toString(decision.controlVersion());
                row[MESSAGE] = decision.message();
                row[CATALOG_DIGEST] = decision.catalog().map(CatalogVersion::digest).orElse(null);
                row[CATALOG_LABEL] = decision.catalog().flatMap(CatalogVersion::label).orElse(null);
            }
            case AuditEvent.PolicySet set -> {
                row[KIND] = AuditRepository.POLICY_SET;
                row[BEFORE_VALUE] = set.before().mode().word();
                row[BEFORE_VERSION] = Long.toString(set.before().version());
                row[AFTER_VALUE] = set.after().mode().word();
                row[AFTER_VERSION] = Long.toString(set.after().version());
                row[CHANGED] = Boolean.toString(set.changed());
                row[CHANGE_REASON] = optional(set.reason());
            }
            case AuditEvent.ControlSet set -> {
                row[KIND] = AuditRepository.CONTROL_SET;
                row[CONTROL_KEY] = set.controlKey();
                row[BEFORE_VALUE] = set.before().word();
                row[AFTER_VALUE] = set.after().word();
                row[AFTER_VERSION] = Long.toString(set.version());
                row[CHANGED] = Boolean.toString(set.changed());
                row[CHANGE_REASON] = optional(set.reason());
            }
            case AuditEvent.MutationDenied denied -> {
                row[KIND] = AuditRepository.MUTATION_DENIED;
                row[METHOD] = denied.method();
                row[STATUS_CODE] = denied.statusCode();
                row[ERROR_REASON] = denied.errorReason();
                row[CAPABILITY] = optional(denied.capability());
                row[PEER] = optional(denied.peer());
                row[REPEAT_COUNT] = denied.repeatCount() == 0 ? null : Integer.toString(denied.repeatCount());
                row[FIRST_OCCURRED_AT] = timestamp(denied.firstOccurredAt());
                row[LAST_OCCURRED_AT] = timestamp(denied.lastOccurredAt());
            }
            case AuditEvent.ChangePreviewed preview -> {
                row[KIND] = AuditRepository.CHANGE_PREVIEWED;
                row[METHOD] = preview.method();
                row[CONTROL_KEY] = optional(preview.controlKey());
                row[AFTER_VALUE] = preview.candidateMode().map(Vocabulary::word)
                        .or(() -> preview.candidateState().map(Vocabulary::word)).orElse(null);
                row[PREVIEW_WINDOW_START] = EventEncoding.timestamp(preview.windowStart());
                row[PREVIEW_WINDOW_END] = EventEncoding.timestamp(preview.windowEnd());
                row[PREVIEW_REPLAYED] = Long.toString(preview.replayed());
                row[PREVIEW_ALLOW_TO_BLOCK] = Long.toString(preview.allowToBlock());
                row[PREVIEW_BLOCK_TO_ALLOW] = Long.toString(preview.blockToAllow());
                row[PREVIEW_CUT_SHORT] = Boolean.toString(preview.cutShort());
            }
        }
        return row;
    }

    private static String timestamp(Optional<Instant> instant) {
        return instant.map(EventEncoding::timestamp).orElse(null);
    }

    private static List<String> words(List<? extends Enum<?>> values) {
        return values.stream().map(Vocabulary::word).toList();
    }

    private static String optional(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
