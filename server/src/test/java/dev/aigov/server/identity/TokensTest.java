package dev.aigov.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A token's stored hash is its SHA-256, whichever thread computes it and however often. */
class TokensTest {

    @Test
    void theHashIsTheSha256OfTheTokenEveryTimeOnEveryThread() throws Exception {
        // FIPS 180-2's test vector, and an aigov-shaped token hashed twice in a row and on another thread.
        assertThat(HexFormat.of().formatHex(Tokens.hash("abc")))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String token = Tokens.newToken();
        byte[] first = Tokens.hash(token);

        assertThat(Tokens.hash(token)).isEqualTo(first).isNotSameAs(first);
        assertThat(CompletableFuture.supplyAsync(() -> Tokens.hash(token)).get()).isEqualTo(first);
        assertThat(Tokens.hash(token + "x")).isNotEqualTo(first);
    }
}
