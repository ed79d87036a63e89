package dev.aigov.server.identity;

import static dev.aigov.db.jooq.Tables.PRINCIPALS;

import dev.aigov.db.jooq.tables.records.PrincipalsRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/** Principals and their token hashes. */
public final class PrincipalRepository {
    private final DSLContext dsl;

    public PrincipalRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** One row of {@code token list}: everything about a token but its secret. */
    public record Listing(String name, String tokenHint, Set<Capability> capabilities, Optional<Set<String>> workspaces,
            Instant createdAt, Optional<Instant> revokedAt) {
    }

    /** The active principal holding this token hash, if any. */
    public Optional<Principal> findActiveByTokenHash(byte[] tokenHash) {
        return dsl.selectFrom(PRINCIPALS)
                .where(PRINCIPALS.TOKEN_HASH.eq(tokenHash))
                .and(PRINCIPALS.REVOKED_AT.isNull())
                .fetchOptional()
                .map(PrincipalRepository::toPrincipal);
    }

    /** Every active principal with its token hash, streamed (there may be many). */
    public void forEachActive(java.util.function.BiConsumer<byte[], Principal> action) {
        try (var cursor = dsl.selectFrom(PRINCIPALS).where(PRINCIPALS.REVOKED_AT.isNull()).fetchSize(5_000).fetchLazy()) {
            cursor.forEach(row -> action.accept(row.getTokenHash(), toPrincipal(row)));
        }
    }

    public boolean activeNameExists(String name) {
        return dsl.fetchExists(PRINCIPALS, PRINCIPALS.NAME.eq(name).and(PRINCIPALS.REVOKED_AT.isNull()));
    }

    public void insert(Principal principal, byte[] tokenHash, String tokenHint, Instant createdAt) {
        dsl.insertInto(PRINCIPALS)
                .set(PRINCIPALS.PRINCIPAL_ID, principal.id())
                .set(PRINCIPALS.NAME, principal.name())
                .set(PRINCIPALS.TOKEN_HASH, tokenHash)
                .set(PRINCIPALS.TOKEN_HINT, tokenHint)
                .set(PRINCIPALS.CAPABILITIES, principal.capabilities().stream().map(Capability::key).sorted().toArray(String[]::new))
                .set(PRINCIPALS.WORKSPACES, principal.workspaces().map(ws -> ws.stream().sorted().toArray(String[]::new)).orElse(null))
                .set(PRINCIPALS.CREATED_AT, OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC))
                .execute();
    }

    /** Revokes the active token of that name; false when there is none. */
    public boolean revoke(String name, Instant at) {
        return dsl.update(PRINCIPALS)
                .set(PRINCIPALS.REVOKED_AT, OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .where(PRINCIPALS.NAME.eq(name))
                .and(PRINCIPALS.REVOKED_AT.isNull())
                .execute() > 0;
    }

    public List<Listing> list(boolean includeRevoked) {
        return dsl.selectFrom(PRINCIPALS)
                .where(includeRevoked ? PRINCIPALS.REVOKED_AT.isNull().or(PRINCIPALS.REVOKED_AT.isNotNull())
                        : PRINCIPALS.REVOKED_AT.isNull())
                .orderBy(PRINCIPALS.NAME, PRINCIPALS.CREATED_AT)
                .fetch(row -> new Listing(row.getName(), row.getTokenHint(), capabilities(row.getCapabilities()),
                        workspaces(row.getWorkspaces()), row.getCreatedAt().toInstant(),
                        Optional.ofNullable(row.getRevokedAt()).map(OffsetDateTime::toInstant)));
    }

    private static Principal toPrincipal(PrincipalsRecord row) {
        return new Principal(row.getPrincipalId(), row.getName(), capabilities(row.getCapabilities()), workspaces(row.getWorkspaces()));
    }

    private static Set<Capability> capabilities(String[] keys) {
        Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        // A key this version does not know (written by a newer one) grants nothing.
        Arrays.stream(keys).map(Capability::fromKey).flatMap(Optional::stream).forEach(capabilities::add);
        return capabilities;
    }

    private static Optional<Set<String>> workspaces(String[] workspaces) {
        return Optional.ofNullable(workspaces).map(ws -> new LinkedHashSet<>(Arrays.asList(ws)));
    }

    static UUID newId() {
        return UUID.randomUUID();
    }
}
