package dev.aigov.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.ControlState;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SetExecutionControl's fingerprint and the history page tokens' filter hash, pinned from the field
 * orders {@link ExecutionControlService.SetControl#fingerprint} and
 * {@link ExecutionControlService#historyFilterHash} document.
 */
class ExecutionControlFingerprintTest {
    private static final UUID PRINCIPAL = UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44");

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static ExecutionControlService.SetControl set(String workspace, ControlState state, String reason, OptionalLong expected) {
        return new ExecutionControlService.SetControl(ExecutionControl.AI_EXECUTION, workspace, state, reason, expected,
                Optional.of(UUID.randomUUID()));
    }

    @Test
    void fingerprintsArePinned() {
        assertThat(hex(set("acme", ControlState.PAUSED, "INC-1: model misbehaving", OptionalLong.of(7)).fingerprint(PRINCIPAL)))
                .isEqualTo("2009a851bb6065678cfdd02dcadeda35f76d05137f96fc043a2ee3a044347c82");
        assertThat(hex(set("", ControlState.ENABLED, "", OptionalLong.empty()).fingerprint(PRINCIPAL)))
                .isEqualTo("c81ed23f63b4a4ffc6731cf7e99e1375db3de600c21ad2ffdcf9029a226ba502");
    }

    @Test
    void historyFilterHashesArePinned() {
        assertThat(hex(ExecutionControlService.historyFilterHash(ExecutionControl.AI_EXECUTION, Optional.of("acme"))))
                .isEqualTo("82e7bfe0d0fc3e82c89985323fada9da92af0ea1b56021a35a8caa687af1168c");
        assertThat(hex(ExecutionControlService.historyFilterHash(ExecutionControl.AI_EXECUTION, Optional.empty())))
                .isEqualTo("07a46f3520247ac08bead9b92a5b52e1821e6ba8f375b3d0b865f78eb88a2a92");
    }

    @Test
    void aRetryIsTheSameRequestAndEveryFieldTakesPart() {
        ExecutionControlService.SetControl base = set("acme", ControlState.PAUSED, "INC-1", OptionalLong.of(7));

        assertThat(hex(set("acme", ControlState.PAUSED, "INC-1", OptionalLong.of(7)).fingerprint(PRINCIPAL)))
                .isEqualTo(hex(base.fingerprint(PRINCIPAL)));
        for (ExecutionControlService.SetControl other : List.of(
                set("", ControlState.PAUSED, "INC-1", OptionalLong.of(7)),
                set("acme", ControlState.ENABLED, "INC-1", OptionalLong.of(7)),
                set("acme", ControlState.PAUSED, "INC-2", OptionalLong.of(7)),
                set("acme", ControlState.PAUSED, "INC-1", OptionalLong.empty()))) {
            assertThat(hex(other.fingerprint(PRINCIPAL))).as("%s", other).isNotEqualTo(hex(base.fingerprint(PRINCIPAL)));
        }
        assertThat(base.fingerprint(UUID.randomUUID())).isNotEqualTo(base.fingerprint(PRINCIPAL));
    }
}
