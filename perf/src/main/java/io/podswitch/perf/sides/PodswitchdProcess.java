package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.topo.BenchShutdown;

import java.io.IOException;
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
 * deletes the directory; {@link BenchShutdown} does the same if the bench JVM is stopped first.
 *
 * <pre>
 *   dir/config/cluster.yaml   dir/state/   dir/run/podswitchd.sock   dir/daemon.log
 * </pre>
 * The config directory is a {@link ConfigMapVolume}: changed as the kubelet changes the DaemonSet's ConfigMap.
 */
final class PodswitchdProcess implements AutoCloseable {
    private static final SecureRandom IDS = new SecureRandom();
    private static final long START_TIMEOUT_SECONDS = 30;

    private final Path dir;
    private final ConfigMapVolume config;
    private final String hostPort;
    private final List<String> command;
    private Process process;
    private final BenchShutdown.Registration cleanup;
    private boolean closed;

    private PodswitchdProcess(Path dir, ConfigMapVolume config, List<String> command, Process process) {
        this.dir = dir;
        this.config = config;
        int at = command.indexOf("--host-port");
        this.hostPort = at >= 0 ? command.get(at + 1) : "podswitch0";
        this.command = List.copyOf(command);
        this.process = process;
        this.cleanup = BenchShutdown.register(this::stopAndDelete);
    }

    /** Starts an IPv4 daemon and returns once its control socket accepts connections. */
    static PodswitchdProcess start(String classPath, int maxPods) throws Exception {
        return start(classPath, "IPv4", maxPods);
    }

    /**
     * Starts a daemon for {@code families} ("IPv4", "IPv6" or both, primary first, comma-separated)
     * and returns once its control socket accepts connections.
     */
    static PodswitchdProcess start(String classPath, String families, int maxPods) throws Exception {
        return start(classPath, DaemonLaunch.DAEMON_CLASS, families, maxPods);
    }

    /** As above, run by {@code mainClass} (an entry point that runs podswitchd inside, see DaemonLaunch). */
    static PodswitchdProcess start(String classPath, String mainClass, String families, int maxPods) throws Exception {
        byte[] id = new byte[2];
        IDS.nextBytes(id);
        String hex = HexFormat.of().formatHex(id);
        int octet = 1 + IDS.nextInt(254);
        return start(classPath, mainClass, config(octet, families), null, List.of("--host-port", "psb" + hex,
                "--max-pods", Integer.toString(maxPods)));
    }

    /**
     * Starts the daemon with {@code configYaml} as its cluster.yaml, inside network namespace
     * {@code netns} ({@code ip netns exec}; null: this process's namespace), with {@code extraArgs}
     * after the directory options; returns once its control socket accepts connections.
     */
    static PodswitchdProcess start(String classPath, String configYaml, String netns, List<String> extraArgs)
            throws Exception {
        return start(classPath, DaemonLaunch.DAEMON_CLASS, configYaml, netns, extraArgs);
    }

    private static PodswitchdProcess start(String classPath, String mainClass, String configYaml, String netns,
                                           List<String> extraArgs) throws Exception {
        try {
            Class.forName(DaemonLaunch.DAEMON_CLASS, false, PodswitchdProcess.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new SideUnavailableException("podswitchd (" + DaemonLaunch.DAEMON_CLASS + ") is not on the class path");
        }
        Path dir = Files.createTempDirectory("podswitch-bench-cni-");
        ConfigMapVolume config = ConfigMapVolume.create(dir.resolve("config"), configYaml);
        List<String> args = new ArrayList<>(List.of("--config", config.file().toString(),
                "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString()));
        args.addAll(extraArgs);
        List<String> cmd = DaemonLaunch.command(netns, "single node", classPath, mainClass, args);
        PodswitchdProcess daemon = new PodswitchdProcess(dir, config, cmd, DaemonLaunch.launch(cmd, dir));
        try {
            daemon.awaitSocket();
            return daemon;
        } catch (Exception e) {
            daemon.close();
            throw e;
        }
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
        config.update(configYaml);
        Files.deleteIfExists(socket());
        process = DaemonLaunch.launch(command, dir);
        awaitSocket();
    }

    /**
     * Replaces cluster.yaml and has the running daemon reload it ({@code POST /v1/reload}, as {@code podswitch
     * reload} does); returns when the reload answered (the new configuration is in force) with its summary. The
     * file watch may have reloaded first: then this reload finds the bytes unchanged.
     */
    synchronized String reloadWith(String configYaml) throws Exception {
        config.update(configYaml);
        var r = request("POST", "/v1/reload", "{}");
        if (r.status() != 200) {
            throw new IOException("podswitchd refused the reload: " + r.bodyText());
        }
        return r.bodyText();
    }

    /**
     * Replaces cluster.yaml as the kubelet updates a ConfigMap and returns: the daemon's file watch reloads it.
     * Nothing here says when the change is in force.
     */
    synchronized void updateConfigMap(String configYaml) throws IOException {
        config.update(configYaml);
    }

    /** A control API request (JSON body, may be null), answered within 60 s. */
    io.podswitch.api.http.HttpResponse request(String method, String path, String json) throws Exception {
        long timeout = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        return new io.podswitch.api.http.UnixHttpClient(socket(), timeout, io.podswitch.api.http.HttpLimits.DEFAULT)
                .exchange(new io.podswitch.api.http.HttpRequest(method, path,
                        json == null ? java.util.Map.of() : java.util.Map.of("content-type", "application/json"),
                        json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        System.nanoTime() + timeout);
    }

    /** A single-node cluster: pods in 10.204.X.0/24 and/or fd00:204:0:X::/64 (X = {@code octet}). */
    static String config(int octet, String families) {
        List<String> pod = new ArrayList<>();
        List<String> svc = new ArrayList<>();
        List<String> nodeNets = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        List<String> nodePods = new ArrayList<>();
        for (String family : families.split(",")) {
            if (family.equals("IPv4")) {
                pod.add("10.204.0.0/16");
                svc.add("10.205.0.0/16");
                nodeNets.add("192.168.204.0/24");
                addresses.add("192.168.204.11");
                nodePods.add("10.204." + octet + ".0/24");
            } else if (family.equals("IPv6")) {
                pod.add("\"fd00:204::/48\"");
                svc.add("\"fd00:205::/112\"");
                nodeNets.add("\"fd00:192:204::/64\"");
                addresses.add("\"fd00:192:204::11\"");
                nodePods.add("\"fd00:204:0:" + Integer.toHexString(octet) + "::/64\"");
            } else {
                throw new IllegalArgumentException("family " + family + " (IPv4 or IPv6)");
            }
        }
        return "ipFamilies: [" + families.replace(",", ", ") + "]\n"
                + "podCIDRs: [" + String.join(", ", pod) + "]\n"
                + "serviceCIDRs: [" + String.join(", ", svc) + "]\n"
                + "nodeCIDRs: [" + String.join(", ", nodeNets) + "]\n"
                + "node: n1\n"
                + "overlay: {mode: direct, podMTU: 1400}\n"
                // runs in the machine's own namespace: no masquerade table in the host's nftables
                + "masquerade: false\n"
                + "nodes:\n"
                + "  - name: n1\n"
                + "    addresses: [" + String.join(", ", addresses) + "]\n"
                + "    podCIDRs: [" + String.join(", ", nodePods) + "]\n"
                + "    uplink: {interface: lo, mtu: 1500}\n";
    }

    /** CPU time the running daemon has used (its JVM, every thread), from /proc; 0 when unknown. */
    synchronized long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * SIGKILL, as a crash or an OOM kill: no shutdown hook runs, the socket file stays behind. Returns once
     * the daemon is gone for its clients too: its process has exited and its socket refuses connections.
     * The two are not the same moment: the kernel tears a killed process's io_uring down after the process
     * is gone, and until then its listening socket still accepts connections (and resets them later) —
     * a restart that took such an accept for the new daemon's answer raced (CI: "Connection reset").
     */
    synchronized void kill9() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IOException("podswitchd (pid " + process.pid() + ") still runs 10 s after SIGKILL");
        }
        DaemonLaunch.awaitRefused(socket(), START_TIMEOUT_SECONDS);
    }

    /** Starts the daemon again on the same config and state (after {@link #kill9}); returns once it answers. */
    synchronized void startAgain() throws Exception {
        if (closed) {
            throw new IllegalStateException("podswitchd is closed");
        }
        if (process.isAlive()) {
            throw new IllegalStateException("podswitchd is still running");
        }
        process = DaemonLaunch.launch(command, dir);
        awaitSocket();
    }

    synchronized long pid() {
        return process.pid();
    }

    synchronized boolean isAlive() {
        return process.isAlive();
    }

    Path socket() {
        return dir.resolve("run").resolve("podswitchd.sock");
    }

    Path directory() {
        return dir;
    }

    /** The node's TAP into the switch. */
    String hostPort() {
        return hostPort;
    }

    /** Waits until {@code other} answers too: a second server the daemon's entry point starts after its own. */
    void awaitAlso(Path other) throws Exception {
        DaemonLaunch.awaitSocket(process, other, dir, START_TIMEOUT_SECONDS,
                status -> new IOException("podswitchd exited with " + status + ": " + log()));
    }

    private void awaitSocket() throws Exception {
        DaemonLaunch.awaitSocket(process, socket(), dir, START_TIMEOUT_SECONDS,
                status -> new IOException("podswitchd exited with " + status + ": " + log()));
    }

    String log() {
        return DaemonLaunch.log(dir);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopAndDelete();
        cleanup.close();
    }

    private void stopAndDelete() {
        stop();
        DaemonLaunch.keepLog(dir);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private void stop() {
        DaemonLaunch.stop(process);
    }
}
