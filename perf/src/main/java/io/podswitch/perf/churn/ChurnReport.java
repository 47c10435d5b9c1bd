package io.podswitch.perf.churn;

import java.util.List;
import java.util.Map;

/**
 * What a soak did and found.
 *
 * @param cycles          pod lifecycles completed (ADD attempted, DEL succeeded, netns removed)
 * @param addsOk          ADDs that succeeded
 * @param addsFailed      ADDs that failed: the daemon was down or died mid-call, or the plugin was killed
 * @param delRetries      DELs repeated after a failure (the runtime retries until DEL succeeds)
 * @param daemonKills     SIGKILLs of podswitchd (each followed by a restart)
 * @param crashPhases     where the plugin calls running at each daemon kill were (see {@link CrashPhase})
 * @param pluginKills     plugin processes killed mid-call, by command
 * @param pings           pings between live pods that were answered
 * @param addMillis       ADD latencies of the successful ADDs (ms)
 * @param drains          the daemon at rest (no pods) at each drain checkpoint
 * @param violations      every broken invariant, in words (empty: nothing lost)
 * @param seconds         wall time of the soak
 */
public record ChurnReport(int cycles, int addsOk, int addsFailed, int delRetries, int daemonKills,
        Map<String, Integer> crashPhases, Map<String, Integer> pluginKills, long pings, List<Double> addMillis,
        List<Drain> drains, List<String> violations, double seconds) {

    /** The daemon with no pod: which incarnation (restarts so far), after how many cycles, its fds and RSS. */
    public record Drain(int incarnation, int cycle, int fds, long rssKiB) {
    }

    /** Kills that hit an ADD between its IPAM write and its answer (the window the durability promise is about). */
    public int killsBetweenIpamWriteAndAnswer() {
        return crashPhases.getOrDefault(CrashPhase.ADD_BETWEEN_IPAM_WRITE_AND_RECORD.description, 0)
                + crashPhases.getOrDefault(CrashPhase.ADD_BETWEEN_RECORD_AND_ANSWER.description, 0);
    }

    public int pluginKillCount() {
        return pluginKills.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A few lines for logs and the bench report. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d cycles in %.0f s: %d ADD ok, %d ADD failed (daemon down/killed or plugin killed), "
                + "%d DEL retries; %d daemon kills, %d plugin kills %s; %d pings between live pods answered; "
                + "%d violations", cycles, seconds, addsOk, addsFailed, delRetries, daemonKills, pluginKillCount(),
                pluginKills, pings, violations.size()));
        crashPhases.forEach((phase, n) -> sb.append("\n  killed during ").append(phase).append(": ").append(n));
        for (Drain d : drains) {
            sb.append(String.format("%n  at rest after %d cycles (daemon start %d): %d fds, %.1f MiB RSS", d.cycle(),
                    d.incarnation(), d.fds(), d.rssKiB() / 1024.0));
        }
        for (String v : violations) {
            sb.append("\n  VIOLATION: ").append(v);
        }
        return sb.toString();
    }
}
