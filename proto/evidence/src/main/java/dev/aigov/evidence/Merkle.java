package dev.aigov.evidence;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** RFC 9162's Merkle tree hash, inclusion proofs and their verification (§2.1), over SHA-256. */
public final class Merkle {
    /** The size of every hash. */
    public static final int HASH_SIZE = 32;

    private Merkle() {
    }

    /** A leaf's hash: SHA-256(0x00 ‖ leaf). */
    public static byte[] leafHash(byte[] leaf) {
        MessageDigest sha = sha256();
        sha.update((byte) 0);
        sha.update(leaf);
        return sha.digest();
    }

    /** An interior node's hash: SHA-256(0x01 ‖ left ‖ right). */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update((byte) 1);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    /** The Merkle tree hash of these leaf hashes (the empty tree's is SHA-256 of nothing). */
    public static byte[] root(List<byte[]> leafHashes) {
        if (leafHashes.isEmpty()) {
            return sha256().digest();
        }
        return root(leafHashes, 0, leafHashes.size());
    }

    private static byte[] root(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = largestPowerOfTwoBelow(n);
        return nodeHash(root(leaves, from, from + k), root(leaves, from + k, to));
    }

    /** The inclusion path of leaf {@code index} in the tree of these leaf hashes (RFC 9162 §2.1.3.1). */
    public static List<byte[]> inclusionPath(List<byte[]> leafHashes, int index) {
        if (index < 0 || index >= leafHashes.size()) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + leafHashes.size());
        }
        List<byte[]> path = new ArrayList<>();
        path(leafHashes, index, 0, leafHashes.size(), path);
        return path;
    }

    private static void path(List<byte[]> leaves, int index, int from, int to, List<byte[]> out) {
        int n = to - from;
        if (n == 1) {
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (index - from < k) {
            path(leaves, index, from, from + k, out);
            out.add(root(leaves, from + k, to));
        } else {
            path(leaves, index, from + k, to, out);
            out.add(root(leaves, from, from + k));
        }
    }

    /** A tree's root and the inclusion path of every leaf, computed together in O(n log n). */
    public record Tree(byte[] root, List<List<byte[]>> paths) {
    }

    /** The root of the tree of these leaf hashes (at least one) and every leaf's inclusion path. */
    public static Tree tree(List<byte[]> leafHashes) {
        if (leafHashes.isEmpty()) {
            throw new IllegalArgumentException("a tree with paths has at least one leaf");
        }
        List<List<byte[]>> paths = new ArrayList<>(leafHashes.size());
        for (int i = 0; i < leafHashes.size(); i++) {
            paths.add(new ArrayList<>(12));
        }
        byte[] root = tree(leafHashes, 0, leafHashes.size(), paths);
        return new Tree(root, paths);
    }

    private static byte[] tree(List<byte[]> leaves, int from, int to, List<List<byte[]>> paths) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = largestPowerOfTwoBelow(n);
        byte[] left = tree(leaves, from, from + k, paths);
        byte[] right = tree(leaves, from + k, to, paths);
        for (int i = from; i < from + k; i++) {
            paths.get(i).add(right);
        }
        for (int i = from + k; i < to; i++) {
            paths.get(i).add(left);
        }
        return nodeHash(left, right);
    }

    /**
     * Whether {@code path} proves the leaf {@code leafHash} at {@code index} in a tree of {@code size}
     * leaves whose root is {@code root} (RFC 9162 §2.1.3.2).
     */
    public static boolean verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (p.length != HASH_SIZE || sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    static int largestPowerOfTwoBelow(int n) {
        int k = Integer.highestOneBit(n);
        return k == n ? k >> 1 : k;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** SHA-256 of these bytes. */
    public static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    static byte[] copy(byte[] hash) {
        return Arrays.copyOf(hash, hash.length);
    }
}
