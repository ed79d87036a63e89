package dev.aigov.server.audit;

import dev.aigov.core.InvalidRequest;
import dev.aigov.core.Outcome;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.PageToken;
import dev.aigov.server.storage.Transactions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** Reads the audit trail for a principal: filtered, paged, limited to the workspaces it reaches. */
public final class AuditTrail {
    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    private final DSLContext dsl;

    public AuditTrail(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** What a reader asks for. Empty optionals match everything. */
    public record Filter(Optional<String> workspaceId, Optional<AuditQuery.Kind> kind, Optional<Outcome> outcome,
            Optional<Instant> startTime, Optional<Instant> endTime) {
    }

    /** One page, and the token of the next (empty on the last page). */
    public record Page(List<AuditEvent> events, String nextPageToken) {
    }

    /**
     * What a page token is bound to, in the encoding of {@link Fingerprint}: purpose {@code audit},
     * then uuid(reader's principal id), optional(text(workspace_id)), optional(word(kind)),
     * optional(word(outcome)), optional(instant(start_time)), optional(instant(end_time)).
     */
    static byte[] filterHash(Principal reader, Filter filter) {
        return Fingerprint.of("audit")
                .uuid(reader.id())
                .optionalText(filter.workspaceId())
                .optionalWord(filter.kind())
                .optionalWord(filter.outcome())
                .optionalInstant(filter.startTime())
                .optionalInstant(filter.endTime())
                .digest();
    }

    public Page list(Principal reader, Filter filter, int pageSize, String pageToken) {
        filter.workspaceId().ifPresent(ws -> Vocabulary.requireId("workspace_id", ws));
        filter.workspaceId().ifPresent(ws -> reader.requireReach(Capability.AUDIT_READ, "workspace_id", ws));
        if (filter.startTime().isPresent() && filter.endTime().isPresent()
                && !filter.endTime().get().isAfter(filter.startTime().get())) {
            throw new InvalidRequest("end_time", "must be after start_time");
        }
        int size = PageToken.pageSize(pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        byte[] filterHash = filterHash(reader, filter);
        Optional<AuditQuery.Cursor> after = PageToken.decode(pageToken, filterHash)
                .map(cursor -> new AuditQuery.Cursor(cursor.at(), cursor.id()));
        AuditQuery query = new AuditQuery(filter.workspaceId(), reader.workspaces(), filter.kind(), filter.outcome(),
                filter.startTime(), filter.endTime(), size, after);
        List<AuditEvent> rows = Transactions.read(dsl, "reading the audit trail", ctx -> AuditRepository.list(ctx, query));
        if (rows.size() <= size) {
            return new Page(rows, "");
        }
        List<AuditEvent> page = rows.subList(0, size);
        AuditEvent last = page.get(size - 1);
        return new Page(List.copyOf(page),
                PageToken.encode(new PageToken.Cursor(last.header().occurredAt(), last.header().eventId()), filterHash));
    }
}
