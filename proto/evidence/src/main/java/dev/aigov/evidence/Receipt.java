package dev.aigov.evidence;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decision's receipt (docs/evidence.md): its audit event in the leaf encoding, its place in its
 * batch's Merkle tree, and the batch's signed checkpoint note.
 */
public record Receipt(byte[] event, int leafIndex, List<byte[]> inclusionPath, String checkpoint)
        implements
            java.io.Serializable {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public Receipt {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(checkpoint, "checkpoint");
        event = Arrays.copyOf(event, event.length);
        inclusionPath = inclusionPath.stream().map(hash -> Arrays.copyOf(hash, hash.length)).toList();
    }

    @Override
    public byte[] event() {
        return Arrays.copyOf(event, event.length);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Receipt that) || leafIndex != that.leafIndex || !Arrays.equals(event, that.event)
                || !checkpoint.equals(that.checkpoint) || inclusionPath.size() != that.inclusionPath.size()) {
            return false;
        }
        for (int i = 0; i < inclusionPath.size(); i++) {
            if (!Arrays.equals(inclusionPath.get(i), that.inclusionPath.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(event) * 31 + leafIndex;
    }

    @Override
    public String toString() {
        return "Receipt[leaf " + leafIndex + ", " + event.length + " bytes, path " + inclusionPath.size() + "]";
    }
}
