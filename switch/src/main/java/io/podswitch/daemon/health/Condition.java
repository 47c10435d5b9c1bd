package io.podswitch.daemon.health;

import java.util.Objects;

/**
 * The outcome of one {@link HealthCheck}: passing or failing, with one line saying why (shown in
 * {@code /readyz?verbose}, in the log when it changes, and as the {@code reason} of the
 * {@code podswitch_health_check} metric).
 */
public record Condition(boolean passing, String detail) {
    public Condition {
        Objects.requireNonNull(detail, "detail");
        if (detail.indexOf('\n') >= 0) {
            detail = detail.replace('\n', ' ');
        }
    }

    public static Condition passing(String detail) {
        return new Condition(true, detail);
    }

    public static Condition failing(String detail) {
        return new Condition(false, detail);
    }
}
