package dev.aigov.server.error;

import java.util.Locale;
import java.util.Map;

/**
 * The call ended on the caller's side (it cancelled, or its deadline passed) before aigov could
 * answer it: nothing was decided, recorded or changed past {@link Stage}, and nobody reads the
 * answer. Not an overload: the server was not asked to refuse anything.
 */
public final class CallerGone extends AigovException {
    /** How far the call had got when aigov saw that its caller was gone. */
    public enum Stage {
        /** Before it was admitted: it arrived (or waited for a thread) past its deadline. */
        ARRIVAL("admitting the call"),
        /** Before its handler did any work. */
        SERVING("serving the call"),
        /** Decided, but its turn with the audit writer came after it ended: not recorded. */
        RECORDING("recording the decision");

        private final String doing;

        Stage(String doing) {
            this.doing = doing;
        }

        /** The stage as the ErrorInfo metadata {@code stage} and the metrics name it: {@code arrival}, ... */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Stage stage;

    public CallerGone(Stage stage) {
        super(stage.doing + ": the call had ended (cancelled by its caller, or past its deadline); nothing was recorded");
        this.stage = stage;
    }

    public Stage stage() {
        return stage;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("stage", stage.label());
    }
}
