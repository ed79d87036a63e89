package dev.aigov.server.evidence;

import java.util.UUID;

/**
 * The first break found in one chain.
 *
 * @param chain   the chain
 * @param seq     the checkpoint where it was found (-1: the chain as a whole)
 * @param message what is wrong, naming the event or checkpoint
 */
public record Break(UUID chain, long seq, String message) {
    @Override
    public String toString() {
        return "chain " + chain + ": " + message;
    }
}
