package dev.aigov.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.PolicyMode;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** SetWorkspacePolicy's fingerprint, pinned from the field order {@link WorkspacePolicyService.SetPolicy#fingerprint} documents. */
class WorkspacePolicyFingerprintTest {
    private static final UUID PRINCIPAL = UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44");

    private static String hex(WorkspacePolicyService.SetPolicy set) {
        return HexFormat.of().formatHex(set.fingerprint(PRINCIPAL));
    }

    private static WorkspacePolicyService.SetPolicy set(String workspace, PolicyMode mode, OptionalLong expected, String reason) {
        return new WorkspacePolicyService.SetPolicy(workspace, mode, expected, reason, Optional.of(UUID.randomUUID()));
    }

    @Test
    void fingerprintsArePinned() {
        assertThat(hex(set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.of(3), "rollout")))
                .isEqualTo("1a2b9548aca66db4afbde10ac14ba67731fe0be8b01553cb2100a0d9b39e519a");
        assertThat(hex(set("acme", PolicyMode.DISABLED, OptionalLong.empty(), "")))
                .isEqualTo("6ccc73ae2166a1157fdb9f88efae34b21671ce1d5e69d2c6fc66a21fa5f0d6c8");
    }

    @Test
    void aRetryIsTheSameRequestAndEveryFieldTakesPart() {
        WorkspacePolicyService.SetPolicy base = set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.of(3), "rollout");

        assertThat(hex(set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.of(3), "rollout"))).isEqualTo(hex(base));
        for (WorkspacePolicyService.SetPolicy other : List.of(
                set("acme-2", PolicyMode.PRIVATE_ONLY, OptionalLong.of(3), "rollout"),
                set("acme", PolicyMode.DISABLED, OptionalLong.of(3), "rollout"),
                set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.of(4), "rollout"),
                set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.empty(), "rollout"),
                set("acme", PolicyMode.PRIVATE_ONLY, OptionalLong.of(3), "rollout 2"))) {
            assertThat(hex(other)).as("%s", other).isNotEqualTo(hex(base));
        }
        assertThat(base.fingerprint(UUID.randomUUID())).isNotEqualTo(base.fingerprint(PRINCIPAL));
    }
}
