package dev.aigov.server.evaluation.state;

import java.util.Arrays;
import java.util.HexFormat;

/** A token's SHA-256 as a map key (arrays compare by identity). */
record TokenHash(byte[] bytes) {
    static TokenHash ofHex(String hex) {
        return new TokenHash(HexFormat.of().parseHex(hex));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenHash hash && Arrays.equals(bytes, hash.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TokenHash[" + HexFormat.of().formatHex(bytes, 0, 4) + "…]";
    }
}
