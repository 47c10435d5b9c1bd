package io.podswitch.daemon.kubernetes;

import io.podswitch.daemon.health.Condition;
import io.podswitch.daemon.health.HealthCheck;

/**
 * The readiness check {@code kubernetes} ({@code /readyz}): passing once every informer has listed and what it
 * listed is applied, and while the view is at most {@link #STALE_LIMIT_MILLIS} old. A short API server blip
 * (an apiserver restart, a rolling upgrade) does not flip the node; a longer outage does, while the data path
 * keeps serving its last state either way. Reads only published state: cheap, never blocks.
 */
public final class KubernetesReadiness implements HealthCheck {
    /** How long a broken watch may last before the node reports not ready. */
    public static final long STALE_LIMIT_MILLIS = 60_000;

    private final KubernetesSource source;

    public KubernetesReadiness(KubernetesSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public Condition check() {
        KubernetesStatus s = source.status();
        if (!s.synced()) {
            return Condition.failing("not synced with the API server " + s.server() + " yet");
        }
        if (s.staleMillis() > STALE_LIMIT_MILLIS) {
            return Condition.failing("no watch on the API server " + s.server() + " for " + s.staleMillis() / 1000
                    + " s (the data path serves the last state)");
        }
        return Condition.passing(s.connected() ? "synced, watching " + s.server()
                : "synced; watch broken for " + s.staleMillis() / 1000 + " s, reconnecting");
    }
}
