package io.podswitch.daemon.health;

/**
 * The daemon's two probes, served on the metrics/probe listener:
 * <ul>
 *   <li>{@code /healthz} ({@link #liveness()}): the process is alive and not wedged — every worker's
 *       duty cycle advances, the control thread runs its periodic tasks. A failing liveness probe makes
 *       the kubelet restart the container, so only conditions a restart can cure belong here.</li>
 *   <li>{@code /readyz} ({@link #readiness()}): the node's pod network works — the data plane is
 *       attached (workers, host port, uplink), state is recovered, and each source of desired state
 *       (the Kubernetes API) is synced. A failing readiness probe marks the pod NotReady; nothing is
 *       restarted.</li>
 * </ul>
 * Parts of the daemon register their checks at start (see {@link HealthChecks#gate} and
 * {@link HealthCheck}); docs/operations.md lists them.
 */
public final class Health {
    private final HealthChecks liveness = new HealthChecks("healthz");
    private final HealthChecks readiness = new HealthChecks("readyz");

    public HealthChecks liveness() {
        return liveness;
    }

    public HealthChecks readiness() {
        return readiness;
    }
}
