package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.SideUnavailableException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * podswitchd for one node of a bench cluster: a child JVM started inside the node's network
 * namespace ({@code ip netns exec NODE java …}; ip execs java, so the child is the daemon), with
 * bin/podswitchd's flags, state and socket under {@code dir}.
 */
final class PodswitchdNodeProcess implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Path dir;
    private final Process process;

    private PodswitchdNodeProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts podswitchd for {@code node} in {@code netns}; returns once its control socket accepts connections. */
    static PodswitchdNodeProcess start(String netns, String node, Path config, Path dir, String idle) throws Exception {
        Files.createDirectories(dir);
        List<String> cmd = DaemonLaunch.command(netns, "one per node", System.getProperty("java.class.path"), List.of(
                "--config", config.toString(), "--node", node, "--state-dir", dir.resolve("state").toString(),
                "--run-dir", dir.resolve("run").toString(), "--idle", idle, "--tap-io", BenchWorkers.tapIo(),
                "--max-pods", "16"));
        PodswitchdNodeProcess d = new PodswitchdNodeProcess(dir, DaemonLaunch.launch(cmd, dir));
        try {
            // A daemon that refuses this node's setup (e.g. an uplink attachment this build lacks)
            // cannot serve the request: "unavailable", not a failure of the run.
            DaemonLaunch.awaitSocket(d.process, d.socket(), dir, START_TIMEOUT_SECONDS,
                    status -> new SideUnavailableException("podswitchd exited with " + status + ": " + lastLine(d.log())));
            return d;
        } catch (Exception e) {
            d.close();
            throw e;
        }
    }

    Path socket() {
        return dir.resolve("run").resolve("podswitchd.sock");
    }

    long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static String lastLine(String log) {
        List<String> lines = log.strip().lines().filter(l -> l.startsWith("podswitchd")).toList();
        return lines.isEmpty() ? log.strip() : lines.getLast();
    }

    String log() {
        return DaemonLaunch.log(dir);
    }

    @Override
    public void close() {
        DaemonLaunch.stop(process);
    }
}
