package io.podswitch.perf.bench.side;

/**
 * A node with a client pod and a server pod and something that enforces NetworkPolicy on the server's
 * ingress (podswitch, or the kernel as Calico programs it). {@link #program} installs a {@link PolicyRuleSet}
 * and returns once the change is handed to the data path (podswitch: the reload answered; the kernel: the
 * restore tool exited). {@link #close} stops what the side started; the namespaces belong to the caller.
 */
public interface PolicyNode extends AutoCloseable {
    String clientNs();

    String clientIp();

    String serverNs();

    String serverIp();

    /** A line for the report: what enforces the policy. */
    String implementation();

    void program(PolicyRuleSet rules) throws Exception;

    /** What the last {@link #program} cost the enforcer itself, for the report (e.g. its compile time), or "". */
    default String lastProgramNote() {
        return "";
    }
}
