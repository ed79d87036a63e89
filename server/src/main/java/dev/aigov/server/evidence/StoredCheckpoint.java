package dev.aigov.server.evidence;

import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A checkpoint as a trail stores it: its place and its note, and what its row repeats of the note.
 *
 * @param chain    chain_id
 * @param seq      seq
 * @param signedAt signed_at (an export file has only the note's time)
 * @param size     the row's size column; empty in an export file
 * @param note     the signed note, as stored
 */
record StoredCheckpoint(UUID chain, long seq, Instant signedAt, OptionalInt size, String note) {
}
