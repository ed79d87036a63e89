package dev.aigov.server.preview;

import dev.aigov.core.ControlState;
import dev.aigov.core.PolicyMode;
import java.util.Optional;

/** The change a preview replays the trail under; the rest of the state is taken as recorded. */
public sealed interface Candidate {

    /** The workspace whose decisions are replayed; empty for every workspace. */
    Optional<String> workspace();

    /** A workspace's policy set to {@code mode}: that workspace's decisions, the control as recorded. */
    record Policy(String workspaceId, PolicyMode mode) implements Candidate {
        @Override
        public Optional<String> workspace() {
            return Optional.of(workspaceId);
        }
    }

    /** {@code ai.execution} set to {@code state} at one scope ({@code workspaceId} empty: global). */
    record Control(String controlKey, String workspaceId, ControlState state) implements Candidate {
        public boolean global() {
            return workspaceId.isEmpty();
        }

        @Override
        public Optional<String> workspace() {
            return global() ? Optional.empty() : Optional.of(workspaceId);
        }
    }

    /** No state change: every decision with the state it was recorded with (a candidate catalog's preview). */
    record AsRecorded() implements Candidate {
        @Override
        public Optional<String> workspace() {
            return Optional.empty();
        }
    }
}
