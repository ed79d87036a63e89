package dev.aigov.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 9162's tree hash and inclusion proofs, against the RFC's definitions and its reference vectors. */
class MerkleTest {
    /** The eight leaves of the reference test data of Certificate Transparency (RFC 6962's, kept for RFC 9162). */
    private static final List<byte[]> CT_LEAVES = List.of(hex(""), hex("00"), hex("10"), hex("2021"), hex("3031"),
            hex("40414243"), hex("5051525354555657"), hex("606162636465666768696a6b6c6d6e6f"));

    @Test
    void theTreeHashesOfTheReferenceDataAreTheRfcs() {
        // The roots of the first 1..8 leaves, as published with the reference implementation's tests.
        List<String> roots = List.of(
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
        for (int size = 1; size <= 8; size++) {
            List<byte[]> leaves = CT_LEAVES.subList(0, size).stream().map(Merkle::leafHash).toList();
            assertThat(HexFormat.of().formatHex(Merkle.root(leaves))).as("size %d", size).isEqualTo(roots.get(size - 1));
            assertThat(Merkle.tree(leaves).root()).isEqualTo(Merkle.root(leaves));
        }
    }

    @Test
    void everyLeafOfEveryTreeUpTo70IsProvedByItsPathAndNoOtherLeafIs() {
        for (int size = 1; size <= 70; size++) {
            List<byte[]> leaves = leaves(size);
            Merkle.Tree tree = Merkle.tree(leaves);
            for (int i = 0; i < size; i++) {
                List<byte[]> path = tree.paths().get(i);
                assertThat(path).usingElementComparator(java.util.Arrays::compare)
                        .containsExactlyElementsOf(Merkle.inclusionPath(leaves, i));
                assertThat(Merkle.verifyInclusion(leaves.get(i), i, size, path, tree.root())).as("leaf %d of %d", i, size).isTrue();
                assertThat(Merkle.verifyInclusion(Merkle.leafHash(new byte[]{9}), i, size, path, tree.root())).isFalse();
                if (size > 1) {
                    assertThat(Merkle.verifyInclusion(leaves.get(i), (i + 1) % size, size, path, tree.root())).isFalse();
                }
            }
        }
    }

    @Test
    void aPathTooShortOrTooLongProvesNothing() {
        List<byte[]> leaves = leaves(13);
        Merkle.Tree tree = Merkle.tree(leaves);
        List<byte[]> path = new ArrayList<>(tree.paths().get(5));
        List<byte[]> longer = new ArrayList<>(path);
        longer.add(new byte[32]);
        assertThat(Merkle.verifyInclusion(leaves.get(5), 5, 13, longer, tree.root())).isFalse();
        assertThat(Merkle.verifyInclusion(leaves.get(5), 5, 13, path.subList(0, path.size() - 1), tree.root())).isFalse();
        assertThat(Merkle.verifyInclusion(leaves.get(5), 13, 13, path, tree.root())).isFalse();
    }

    private static List<byte[]> leaves(int size) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            leaves.add(Merkle.leafHash(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return leaves;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
