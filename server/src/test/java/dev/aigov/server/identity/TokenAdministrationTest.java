package dev.aigov.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.core.InvalidRequest;
import dev.aigov.server.storage.Database;
import dev.aigov.server.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Minting, revoking and listing tokens against the real (shared) database. */
class TokenAdministrationTest {
    private static Database database;
    private static TokenAdministration tokens;

    @BeforeAll
    static void openDatabase() {
        database = TestDatabase.shared();
        tokens = new TokenAdministration(new PrincipalRepository(database.dsl()), Clock.systemUTC());
    }

    private static String freshName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void tokenIsStoredOnlyAsItsSha256() throws Exception {
        String name = freshName("hashed");
        String token = tokens.create(name, List.of("ai.decisions.evaluate"), List.of()).token();

        List<Object> row = principalRow(name);

        byte[] expectedHash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        assertThat(row).filteredOn(byte[].class::isInstance).singleElement().isEqualTo(expectedHash);
        for (Object column : row) {
            String text = column instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : String.valueOf(column);
            assertThat(text).as("a column of the principal's row").doesNotContain(token)
                    .doesNotContain(token.substring(Tokens.PREFIX.length()));
        }
    }

    @Test
    void mintedTokensHaveTheDocumentedShapeAndAreNeverReused() {
        Set<String> minted = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String token = tokens.create(freshName("shape"), List.of("audit.read"), List.of()).token();
            assertThat(token).matches("aigov_[A-Za-z0-9_-]{43}");
            minted.add(token);
        }
        assertThat(minted).hasSize(5);
    }

    @Test
    void mintedPrincipalCarriesItsCapabilitiesAndWorkspaces() {
        TokenAdministration.MintedToken minted = tokens.create(freshName("scoped"),
                List.of("workspace.ai_policy.manage", "ai.decisions.evaluate"), List.of("ws-a", "ws-b"));

        assertThat(minted.principal().capabilities())
                .containsExactlyInAnyOrder(Capability.WORKSPACE_AI_POLICY_MANAGE, Capability.AI_DECISIONS_EVALUATE);
        assertThat(minted.principal().workspaces()).contains(Set.of("ws-a", "ws-b"));
        assertThat(new PrincipalRepository(database.dsl()).findActiveByTokenHash(Tokens.hash(minted.token())))
                .contains(minted.principal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops.controls.view", "ops.controls.manage"})
    void platformCapabilityCannotBeLimitedToAWorkspace(String capability) {
        String name = freshName("platform");

        assertThatThrownBy(() -> tokens.create(name, List.of(capability), List.of("ws-a")))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> {
                    assertThat(failure.field()).isEqualTo("workspace");
                    assertThat(failure.getMessage()).contains(capability);
                });
        assertThat(listedNames(true)).doesNotContain(name);
    }

    @Test
    void platformCapabilityMixedWithWorkspaceOnesIsStillRejectedWhenLimited() {
        assertThatThrownBy(() -> tokens.create(freshName("mixed"), List.of("workspace.ai_policy.view", "ops.controls.manage"),
                List.of("ws-a")))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> {
                    assertThat(failure.field()).isEqualTo("workspace");
                    assertThat(failure.getMessage()).contains("ops.controls.manage").doesNotContain("workspace.ai_policy.view");
                });
    }

    @Test
    void unknownCapabilityIsRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> tokens.create(freshName("unknown"), List.of("ai.decisions.evaluate", "ops.everything"), List.of()))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> {
                    assertThat(failure.field()).isEqualTo("capability");
                    assertThat(failure.getMessage()).contains("ops.everything");
                    for (Capability known : Capability.values()) {
                        assertThat(failure.getMessage()).contains(known.key());
                    }
                });
    }

    @Test
    void noCapabilityIsRejected() {
        assertThatThrownBy(() -> tokens.create(freshName("none"), List.of(), List.of()))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> assertThat(failure.field()).isEqualTo("capability"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/name", "ünïcode"})
    void malformedNameIsRejected(String name) {
        assertThatThrownBy(() -> tokens.create(name, List.of("audit.read"), List.of()))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> assertThat(failure.field()).isEqualTo("name"));
    }

    @Test
    void duplicateActiveNameIsRejected() {
        String name = freshName("twice");
        tokens.create(name, List.of("audit.read"), List.of());

        assertThatThrownBy(() -> tokens.create(name, List.of("audit.read"), List.of()))
                .isInstanceOfSatisfying(InvalidRequest.class, failure -> {
                    assertThat(failure.field()).isEqualTo("name");
                    assertThat(failure.getMessage()).contains(name);
                });
    }

    @Test
    void afterRevokingANameItCanBeMintedAgainAndOnlyTheNewTokenWorks() {
        String name = freshName("again");
        String first = tokens.create(name, List.of("audit.read"), List.of()).token();

        assertThat(tokens.revoke(name)).isTrue();
        assertThat(tokens.revoke(name)).as("a second revoke finds no active token").isFalse();
        String second = tokens.create(name, List.of("audit.read"), List.of()).token();

        PrincipalRepository principals = new PrincipalRepository(database.dsl());
        assertThat(second).isNotEqualTo(first);
        assertThat(principals.findActiveByTokenHash(Tokens.hash(first))).isEmpty();
        assertThat(principals.findActiveByTokenHash(Tokens.hash(second))).map(Principal::name).contains(name);
    }

    @Test
    void listShowsOnlyTheHintNeverTheSecretAndAllIncludesRevoked() {
        String kept = freshName("kept");
        String gone = freshName("gone");
        String keptToken = tokens.create(kept, List.of("audit.read"), List.of("ws-a")).token();
        String goneToken = tokens.create(gone, List.of("ops.controls.view"), List.of()).token();
        tokens.revoke(gone);

        List<PrincipalRepository.Listing> active = tokens.list(false);
        List<PrincipalRepository.Listing> all = tokens.list(true);

        assertThat(active).extracting(PrincipalRepository.Listing::name).contains(kept).doesNotContain(gone);
        assertThat(all).extracting(PrincipalRepository.Listing::name).contains(kept, gone);
        PrincipalRepository.Listing keptRow = all.stream().filter(row -> row.name().equals(kept)).findFirst().orElseThrow();
        PrincipalRepository.Listing goneRow = all.stream().filter(row -> row.name().equals(gone)).findFirst().orElseThrow();
        assertThat(keptRow.revokedAt()).isEmpty();
        assertThat(keptRow.workspaces()).contains(Set.of("ws-a"));
        assertThat(goneRow.revokedAt()).isPresent();
        assertThat(keptToken).startsWith(keptRow.tokenHint().replace("…", ""));
        assertThat(keptRow.tokenHint().length()).isLessThan(keptToken.length() / 2);
        // Nothing a listing carries can be used as the token.
        assertThat(String.valueOf(all)).doesNotContain(keptToken).doesNotContain(goneToken)
                .doesNotContain(keptToken.substring(Tokens.PREFIX.length()));
    }

    private static List<String> listedNames(boolean includeRevoked) {
        return tokens.list(includeRevoked).stream().map(PrincipalRepository.Listing::name).toList();
    }

    /** Every column of the principal's row, as JDBC reads it. */
    private static List<Object> principalRow(String name) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT * FROM principals WHERE name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                ResultSetMetaData columns = rows.getMetaData();
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    Object value = rows.getObject(i);
                    row.add(value instanceof java.sql.Array array ? List.of((Object[]) array.getArray()) : value);
                }
                assertThat(rows.next()).isFalse();
                return row;
            }
        }
    }
}
