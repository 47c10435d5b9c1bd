package io.podswitch.daemon.health;

/**
 * One condition of the daemon's health, asked on every probe ({@code /healthz} for liveness,
 * {@code /readyz} for readiness). Parts of the daemon register theirs with {@link HealthChecks}: the
 * data plane, state recovery, the Kubernetes API source (synced, not stale), the policy engine.
 *
 * <p>{@link #check()} runs on the probe listener's thread, possibly while the control thread or a
 * worker changes what it looks at: it must be cheap (a probe may come every second), never block,
 * never wait for the control thread, and read only state that is safe to read from any thread
 * (volatile fields, published counters). A condition that takes work to establish (a netlink query,
 * a diff) is computed where that work belongs and handed over through a {@link Gate}.
 */
public interface HealthCheck {
    /** Short, stable, lower-case name shown in the probe's verbose answer, e.g. {@code dataplane}. */
    String name();

    /** The condition now. */
    Condition check();
}
