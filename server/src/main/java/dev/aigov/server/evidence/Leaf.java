package dev.aigov.server.evidence;

import java.util.Optional;
import java.util.UUID;

/**
 * One event's place and leaf hash, as a trail holds it.
 *
 * @param seq       the checkpoint it names (chain_seq)
 * @param leafIndex its place among that checkpoint's leaves
 * @param eventId   its event_id; empty for an export's hidden event (a {@code leaf} line) or a row whose event_id is unreadable
 * @param hash      SHA-256(0x00 ‖ its leaf encoding)
 */
record Leaf(long seq, int leafIndex, Optional<UUID> eventId, byte[] hash) {
    /** How a report names it. */
    String describe() {
        return eventId.map(id -> "event " + id).orElse("a hidden event") + " (leaf " + leafIndex + ")";
    }
}
