package io.podswitch.daemon.health;

import io.podswitch.daemon.DaemonLog;

/**
 * A {@link HealthCheck} whose owner sets the condition: {@link #pass} when what it guards holds,
 * {@link #fail} when it stops holding. Any thread may set it and read it (one volatile reference);
 * a change of pass/fail is logged once.
 *
 * <pre>
 *   Gate synced = health.readiness().gate("kubernetes", "waiting for the first list");
 *   ...                                    // informers listed everything
 *   synced.pass("synced: 3 nodes, 41 services");
 *   ...                                    // watch lost for longer than allowed
 *   synced.fail("no event from the API server for 95 s");
 * </pre>
 */
public final class Gate implements HealthCheck {
    private final String name;
    private volatile Condition condition;

    /** A gate that starts failing with {@code initialFailure} (nothing is ready until its owner says so). */
    public Gate(String name, String initialFailure) {
        this.name = HealthChecks.checkName(name);
        this.condition = Condition.failing(initialFailure);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Condition check() {
        return condition;
    }

    public void pass(String detail) {
        set(Condition.passing(detail));
    }

    public void fail(String reason) {
        set(Condition.failing(reason));
    }

    /** Sets the condition; logs when it turns from passing to failing or back. */
    public void set(Condition next) {
        Condition previous = condition;
        condition = next;
        if (previous.passing() != next.passing()) {
            DaemonLog.info("health: " + name + (next.passing() ? " passing: " : " failing: ") + next.detail());
        }
    }
}
