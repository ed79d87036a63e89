package dev.aigov.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.Outcome;
import dev.aigov.server.identity.Principal;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What an audit page token is bound to, pinned from the field order {@link AuditTrail#filterHash} documents. */
class AuditTrailFilterHashTest {
    private static final Principal READER =
            new Principal(UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44"), "auditor", Set.of(), Optional.empty());

    private static String hex(AuditTrail.Filter filter) {
        return HexFormat.of().formatHex(AuditTrail.filterHash(READER, filter));
    }

    @Test
    void filterHashesArePinned() {
        assertThat(hex(new AuditTrail.Filter(Optional.of("acme"), Optional.of(AuditQuery.Kind.AI_DECISION), Optional.of(Outcome.BLOCK),
                Optional.of(Instant.parse("2025-03-04T05:06:07.123456Z")), Optional.empty())))
                .isEqualTo("fcb9cfb7636619a63197daecdf533f327c793bdcc3e677174c8cb3f7adccfafb");
        assertThat(hex(new AuditTrail.Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())))
                .isEqualTo("90231874cd7ae9427ab284bd44d76e18d5442c9555ef5863c40f78a44aa51f4b");
    }

    @Test
    void aStartTimeAndAnEndTimeOfTheSameInstantAreOtherFilters() {
        Optional<Instant> at = Optional.of(Instant.parse("2025-03-04T05:06:07Z"));

        assertThat(hex(new AuditTrail.Filter(Optional.empty(), Optional.empty(), Optional.empty(), at, Optional.empty())))
                .isNotEqualTo(hex(new AuditTrail.Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), at)));
    }
}
