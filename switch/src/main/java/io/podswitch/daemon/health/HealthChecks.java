package io.podswitch.daemon.health;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One probe's set of checks (the daemon has two: {@link Health#liveness()} and
 * {@link Health#readiness()}). The probe passes when every registered check passes. Registration is
 * thread-safe and may happen at any time (a part that starts late registers when it starts; one that
 * stops unregisters). Names are unique within a set.
 */
public final class HealthChecks {
    private final String probe;
    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();

    public HealthChecks(String probe) {
        this.probe = probe;
    }

    /** {@code healthz} / {@code readyz}: which probe these checks answer. */
    public String probe() {
        return probe;
    }

    /** Adds a check. @throws IllegalArgumentException when another check already has its name */
    public synchronized void register(HealthCheck check) {
        checkName(check.name());
        for (HealthCheck c : checks) {
            if (c.name().equals(check.name())) {
                throw new IllegalArgumentException(probe + ": a check named '" + check.name() + "' is already registered");
            }
        }
        checks.add(check);
    }

    /** Removes a check (no effect when it is not registered). */
    public void unregister(HealthCheck check) {
        checks.remove(check);
    }

    /** Registers and returns a new {@link Gate} that starts failing with {@code initialFailure}. */
    public Gate gate(String name, String initialFailure) {
        Gate gate = new Gate(name, initialFailure);
        register(gate);
        return gate;
    }

    /** Asks every check, in registration order. A check that throws counts as failing (and says so). */
    public HealthReport evaluate() {
        List<HealthReport.Result> results = new ArrayList<>(checks.size());
        for (HealthCheck check : checks) {
            Condition c;
            try {
                c = check.check();
                if (c == null) {
                    c = Condition.failing("check returned nothing");
                }
            } catch (RuntimeException e) {
                c = Condition.failing("check threw " + e);
            }
            results.add(new HealthReport.Result(check.name(), c));
        }
        return new HealthReport(probe, results);
    }

    static String checkName(String name) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("health check name must be lower-case [a-z0-9_.-]: '" + name + "'");
        }
        return name;
    }
}
