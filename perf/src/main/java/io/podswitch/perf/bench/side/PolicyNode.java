package io.podswitch.perf.bench.side;

/**
 * A node with a client pod and a server pod and something that enforces NetworkPolicy on the server's
 * ingress (podswitch, or the kernel as Calico programs it). {@link #program} installs a {@link PolicyRuleSet}
 * and returns once the change is handed to the data path (podswitch: the reload answered; the kernel: the
 * restore tool exited). {@link #prepare} splits it in two: rendering the rules into what the enforcer reads (the
 * cluster file's text, the restore script) — the bench's own work, done before an update is timed — and
 * {@link Change#apply} handing it over, where the update latency starts. {@link #close} stops what the side started; the namespaces belong to the caller.
 */
public interface PolicyNode extends AutoCloseable {
    String clientNs();

    String clientIp();

    String serverNs();

    String serverIp();

    /** A line for the report: what enforces the policy. */
    String implementation();

    /** The rules rendered for the enforcer, not yet applied. */
    Change prepare(PolicyRuleSet rules) throws Exception;

    default void program(PolicyRuleSet rules) throws Exception {
        prepare(rules).apply();
    }

    /**
     * The rules rendered for a timed update, as the enforcer's users change them: by default {@link #prepare}; an
     * enforcer whose users hand a change over without waiting (podswitch's ConfigMap, which its file watch picks
     * up) returns as soon as it is handed over, and the data path says when it is in force.
     */
    default Change prepareUpdate(PolicyRuleSet rules) throws Exception {
        return prepare(rules);
    }

    /** A rendered change: {@link #apply} writes it where the enforcer reads it and waits as {@link #program} does. */
    interface Change {
        void apply() throws Exception;
    }

    /** What the last {@link #program} cost the enforcer itself, for the report (e.g. its compile time), or "". */
    default String lastProgramNote() {
        return "";
    }
}
