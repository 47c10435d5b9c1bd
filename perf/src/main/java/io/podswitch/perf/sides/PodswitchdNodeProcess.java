package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.SideUnavailableException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * podswitchd for one node of a bench cluster: a child JVM started inside the node's network
 * namespace ({@code ip netns exec NODE java …}; ip execs java, so the child is the daemon), with the
 * launcher's heap and collector settings, state and socket under {@code dir}.
 */
final class PodswitchdNodeProcess implements AutoCloseable {
    /** bin/podswitchd's flags, with a smaller pre-touched heap: two of these share the machine with the traffic tools. */
    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "-XX:+UseG1GC", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages");
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Path dir;
    private final Process process;

    private PodswitchdNodeProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts podswitchd for {@code node} in {@code netns}; returns once its control socket accepts connections. */
    static PodswitchdNodeProcess start(String netns, String node, Path config, Path dir, String idle) throws Exception {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PodswitchdProcess.DAEMON_CLASS,
                "--config", config.toString(), "--node", node, "--state-dir", dir.resolve("state").toString(),
                "--run-dir", dir.resolve("run").toString(), "--idle", idle, "--max-pods", "16"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
        PodswitchdNodeProcess d = new PodswitchdNodeProcess(dir, p);
        try {
            d.awaitSocket();
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

    private void awaitSocket() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                // the daemon refused this node's setup (e.g. an uplink attachment this build lacks):
                // this build cannot serve the request, which is "unavailable", not a failure of the run
                throw new SideUnavailableException("podswitchd exited with " + process.exitValue() + ": "
                        + lastLine(log()));
            }
            if (Files.exists(socket())) {
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(socket()));
                    return;
                } catch (IOException notYet) {
                    // the file exists before the server accepts
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("podswitchd did not open " + socket() + " within 60 s: " + log());
    }

    private static String lastLine(String log) {
        List<String> lines = log.strip().lines().filter(l -> l.startsWith("podswitchd")).toList();
        return lines.isEmpty() ? log.strip() : lines.getLast();
    }

    String log() {
        try {
            String log = Files.readString(dir.resolve("daemon.log"));
            return log.length() > 2000 ? "…" + log.substring(log.length() - 2000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
