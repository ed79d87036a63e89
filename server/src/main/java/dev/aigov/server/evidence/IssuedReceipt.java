package dev.aigov.server.evidence;

import dev.aigov.evidence.Receipt;
import java.time.Instant;

/** A decision's receipt as the server issues it, with the expiry it answers beside it (for reading). */
public record IssuedReceipt(Receipt receipt, Instant expiresAt) {
}
