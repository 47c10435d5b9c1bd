package io.podswitch.daemon.health;

import java.util.List;

/**
 * What one probe found: every check's condition. Rendered the way the Kubernetes API server renders
 * {@code /readyz?verbose}, which operators already read:
 *
 * <pre>
 *   [+]dataplane ok: workers 2/2 ticking, podswitch0 up
 *   [-]kubernetes failed: waiting for the first list
 *   readyz check failed
 * </pre>
 */
public record HealthReport(String probe, List<Result> results) {
    public HealthReport {
        results = List.copyOf(results);
    }

    /** One check's name and condition. */
    public record Result(String name, Condition condition) {
    }

    /** True when every check passes (also when there are none). */
    public boolean passing() {
        for (Result r : results) {
            if (!r.condition().passing()) {
                return false;
            }
        }
        return true;
    }

    /** The HTTP status a probe answers: 200 passing, 503 failing. */
    public int httpStatus() {
        return passing() ? 200 : 503;
    }

    /** The plain-text body: with {@code verbose} one line per check, always the verdict last. */
    public String render(boolean verbose) {
        StringBuilder sb = new StringBuilder();
        if (verbose) {
            for (Result r : results) {
                Condition c = r.condition();
                sb.append(c.passing() ? "[+]" : "[-]").append(r.name()).append(c.passing() ? " ok" : " failed");
                if (!c.detail().isEmpty()) {
                    sb.append(": ").append(c.detail());
                }
                sb.append('\n');
            }
        } else if (!passing()) {
            for (Result r : results) {
                if (!r.condition().passing()) {
                    sb.append("[-]").append(r.name()).append(" failed: ").append(r.condition().detail()).append('\n');
                }
            }
        }
        return sb.append(probe).append(passing() ? " check passed" : " check failed").append('\n').toString();
    }
}
