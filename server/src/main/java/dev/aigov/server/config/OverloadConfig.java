package dev.aigov.server.config;

import java.util.Locale;
import java.util.Objects;

/**
 * How many calls the server serves at once before it answers {@code UNAVAILABLE} (OVERLOADED) at
 * once instead of letting calls queue past their deadlines (AIGOV_CONCURRENCY_LIMIT).
 *
 * @param mode         {@link Mode#ADAPTIVE} (the default: the limit follows the latency), {@link Mode#FIXED}
 *                     or {@link Mode#OFF}
 * @param limit        the fixed limit, or the adaptive limit's starting point
 * @param maxLimit     the adaptive limit's ceiling (AIGOV_CONCURRENCY_LIMIT_MAX)
 * @param controlShare the share of the limit kept for the control plane (policies and execution
 *                     controls), so that an operator can pause AI during an overload; at least one call
 */
public record OverloadConfig(Mode mode, int limit, int maxLimit, double controlShare) {
    public static final OverloadConfig DEFAULT = new OverloadConfig(Mode.ADAPTIVE, 1000, 1000, 0.1);
    public static final OverloadConfig OFF = new OverloadConfig(Mode.OFF, 1000, 1000, 0.1);

    public enum Mode {
        ADAPTIVE, FIXED, OFF
    }

    public OverloadConfig {
        Objects.requireNonNull(mode, "mode");
        if (limit < 1 || limit > 100_000) {
            throw new IllegalArgumentException("AIGOV_CONCURRENCY_LIMIT must be adaptive, off or 1 to 100000 (got " + limit + ")");
        }
        if (maxLimit < limit || maxLimit > 100_000) {
            throw new IllegalArgumentException("AIGOV_CONCURRENCY_LIMIT_MAX must be " + limit + " to 100000 (got " + maxLimit + ")");
        }
        if (!(controlShare > 0) || controlShare >= 1) {
            throw new IllegalArgumentException("the control plane's share must be above 0 and below 1 (got " + controlShare + ")");
        }
    }

    /** A fixed limit of {@code limit} calls at once. */
    public static OverloadConfig fixed(int limit) {
        return new OverloadConfig(Mode.FIXED, limit, Math.max(limit, DEFAULT.maxLimit), DEFAULT.controlShare);
    }

    /** Parses AIGOV_CONCURRENCY_LIMIT: {@code adaptive}, {@code off} or a number (a fixed limit). */
    public static OverloadConfig parse(String text, int maxLimit) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            // The adaptive limit starts at its ceiling and comes down under an overload.
            case "adaptive" -> new OverloadConfig(Mode.ADAPTIVE, maxLimit, maxLimit, DEFAULT.controlShare);
            case "off" -> OFF;
            default -> {
                int fixed;
                try {
                    fixed = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("AIGOV_CONCURRENCY_LIMIT must be adaptive, off or a number of calls (got '"
                            + text + "')");
                }
                yield new OverloadConfig(Mode.FIXED, fixed, Math.max(fixed, maxLimit), DEFAULT.controlShare);
            }
        };
    }

    public String describe() {
        return switch (mode) {
            case ADAPTIVE -> "concurrency limit adaptive (from " + limit + ", at most " + maxLimit + ")";
            case FIXED -> "concurrency limit " + limit;
            case OFF -> "concurrency limit off";
        };
    }
}
