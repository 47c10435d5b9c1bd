package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.SideUnavailableException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * podswitchd as a child JVM for the cni and service scenarios, configured like a single-node cluster: a temp
 * directory holds the config, the state and the control socket; the host TAP gets a unique name
 * ({@code psb<4 hex>}); pods get addresses from 10.204.X.0/24 (X random per run), a range no other
 * bench topology uses. {@link #close} stops the daemon (SIGTERM, then SIGKILL after 10 s) and
 * deletes the directory; a shutdown hook does the same if the bench JVM is stopped first.
 *
 * <pre>
 *   dir/cluster.yaml   dir/state/   dir/run/podswitchd.sock   dir/daemon.log
 * </pre>
 */
final class PodswitchdProcess implements AutoCloseable {
    static final String DAEMON_CLASS = "io.podswitch.daemon.Podswitchd";
    static final List<String> JVM_FLAGS = List.of("-XX:InlineSmallCode=10000", "--enable-native-access=ALL-UNNAMED", "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED");
    private static final SecureRandom IDS = new SecureRandom();
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Path dir;
    private final List<String> command;
    private Process process;
    private final Thread cleanupHook;
    private boolean closed;

    private PodswitchdProcess(Path dir, List<String> command, Process process) {
        this.dir = dir;
        this.command = List.copyOf(command);
        this.process = process;
        this.cleanupHook = Thread.ofPlatform().unstarted(this::stopAndDelete);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Starts the daemon and returns once its control socket accepts connections. */
    static PodswitchdProcess start(String classPath, int maxPods) throws Exception {
        byte[] id = new byte[2];
        IDS.nextBytes(id);
        String hex = HexFormat.of().formatHex(id);
        int octet = 1 + IDS.nextInt(254);
        return start(classPath, config(octet), null, List.of("--host-port", "psb" + hex, "--max-pods",
                Integer.toString(maxPods)));
    }

    /**
     * Starts the daemon with {@code configYaml} as its cluster.yaml, inside network namespace
     * {@code netns} ({@code ip netns exec}; null: this process's namespace), with {@code extraArgs}
     * after the directory options; returns once its control socket accepts connections.
     */
    static PodswitchdProcess start(String classPath, String configYaml, String netns, List<String> extraArgs)
            throws Exception {
        try {
            Class.forName(DAEMON_CLASS, false, PodswitchdProcess.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new SideUnavailableException("podswitchd (" + DAEMON_CLASS + ") is not on the class path");
        }
        Path dir = Files.createTempDirectory("podswitch-bench-cni-");
        Files.writeString(dir.resolve("cluster.yaml"), configYaml);
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", classPath, DAEMON_CLASS,
                "--config", dir.resolve("cluster.yaml").toString(), "--state-dir", dir.resolve("state").toString(),
                "--run-dir", dir.resolve("run").toString()));
        cmd.addAll(extraArgs);
        PodswitchdProcess daemon = new PodswitchdProcess(dir, cmd, launch(cmd, dir));
        try {
            daemon.awaitSocket();
            return daemon;
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
    }

    private static Process launch(List<String> cmd, Path dir) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile())).start();
    }

    /**
     * Stops the daemon (SIGTERM), replaces its cluster.yaml and starts it again on the same state
     * directory: it recovers its IPAM allocations and re-attaches the pods. Returns once it answers.
     */
    synchronized void restartWith(String configYaml) throws Exception {
        if (closed) {
            throw new IllegalStateException("podswitchd is closed");
        }
        stop();
        Files.writeString(dir.resolve("cluster.yaml"), configYaml);
        Files.deleteIfExists(socket());
        process = launch(command, dir);
        awaitSocket();
    }

    private static String config(int octet) {
        return "ipFamilies: [IPv4]\n"
                + "podCIDRs: [10.204.0.0/16]\n"
                + "serviceCIDRs: [10.205.0.0/16]\n"
                + "nodeCIDRs: [192.168.204.0/24]\n"
                + "node: n1\n"
                + "overlay: {mode: direct, podMTU: 1400}\n"
                + "nodes:\n"
                + "  - name: n1\n"
                + "    addresses: [192.168.204.11]\n"
                + "    podCIDRs: [10.204." + octet + ".0/24]\n"
                + "    uplink: {interface: lo, mtu: 1500}\n";
    }

    Path socket() {
        return dir.resolve("run").resolve("podswitchd.sock");
    }

    Path directory() {
        return dir;
    }

    private void awaitSocket() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("podswitchd exited with " + process.exitValue() + ": " + log());
            }
            if (Files.exists(socket())) {
                try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    c.connect(UnixDomainSocketAddress.of(socket()));
                    return;
                } catch (IOException notYet) {
                    // the file exists before the server accepts: try again
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("podswitchd did not open " + socket() + " within 30 s: " + log());
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran stopAndDelete itself
        }
    }

    private void stopAndDelete() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** SIGTERM (to {@code ip netns exec}'s exec'd JVM), SIGKILL after 10 s. */
    private void stop() {
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
