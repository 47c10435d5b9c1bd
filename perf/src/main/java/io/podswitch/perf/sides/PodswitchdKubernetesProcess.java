package io.podswitch.perf.sides;

import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * podswitchd with {@code source: kubernetes} for the kubernetes scenario: a child JVM with bin/podswitchd's
 * flags inside a node namespace, its cluster.yaml, state and socket under {@code dir}. Its view of the cluster
 * is read through {@code GET /v1/status}; its memory from {@code /proc} and {@code jcmd}.
 */
public final class PodswitchdKubernetesProcess implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private PodswitchdKubernetesProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts the daemon; returns at once (it waits for its Node object, then builds the switch). */
    public static PodswitchdKubernetesProcess start(String netns, String node, String configYaml, Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cluster.yaml"), configYaml);
        List<String> args = new ArrayList<>(List.of("--config", dir.resolve("cluster.yaml").toString(), "--node", node,
                "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString(),
                "--max-pods", "16"));
        List<String> cmd = DaemonLaunch.command(netns, "source: kubernetes, one node", System.getProperty("java.class.path"), args);
        return new PodswitchdKubernetesProcess(dir, DaemonLaunch.launch(cmd, dir));
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code GET /v1/status}'s {@code kubernetes} object, or null while the control socket is not up. */
    public NodeReader kubernetesStatus() {
        Path socket = dir.resolve("run").resolve("podswitchd.sock");
        if (!Files.exists(socket)) {
            return null;
        }
        try {
            HttpResponse r = new UnixHttpClient(socket, TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                    .exchange(new HttpRequest("GET", "/v1/status", Map.of(), null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            if (r.status() != 200) {
                return null;
            }
            return NodeReader.of(JsonCodec.tree(r.body()), "").optionalObject("kubernetes");
        } catch (Exception notUp) {
            return null;
        }
    }

    /**
     * Polls {@link #kubernetesStatus} every 50 ms until {@code done} holds; returns that status.
     * @throws IOException when the daemon exits or {@code limit} passes first (naming the last status and the log)
     */
    public NodeReader awaitKubernetesStatus(Predicate<NodeReader> done, Duration limit)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        NodeReader status = null;
        while (status == null || !done.test(status)) {
            if (!alive() || System.nanoTime() > deadline) {
                throw new IOException("podswitchd did not sync within " + limit.toSeconds() + " s (last status "
                        + (status == null ? "none" : status.object()) + "): " + log());
            }
            Thread.sleep(50);
            status = kubernetesStatus();
        }
        return status;
    }

    /** Resident memory of the daemon process (heap, off-heap frames and tables, metaspace, code), in bytes. */
    public long residentBytes() throws IOException {
        return procStatus("VmRSS");
    }

    /** The most resident memory the daemon process has had since it started (its high-water mark), in bytes. */
    public long peakResidentBytes() throws IOException {
        return procStatus("VmHWM");
    }

    private long procStatus(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid() + "/status");
    }

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern HEAP_COMMITTED = Pattern.compile("committed (\\d+)K");

    /** Java heap in use (jcmd GC.heap_info), in bytes; after a full GC when {@code collectFirst}. */
    public long heapUsedBytes(boolean collectFirst) throws IOException, InterruptedException {
        return heapInfo(collectFirst, HEAP_USED);
    }

    /**
     * Java heap committed (jcmd GC.heap_info: committed), in bytes: the heap grows (from -Xms) to what the largest
     * transient load needed and G1 gives it back only after a full GC, so before one it bounds that load.
     */
    public long heapCommittedBytes() throws IOException, InterruptedException {
        return heapInfo(false, HEAP_COMMITTED);
    }

    private long heapInfo(boolean collectFirst, Pattern figure) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (collectFirst) {
            new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        Matcher m = figure.matcher(out);
        if (!m.find()) {
            throw new IOException("jcmd GC.heap_info: no heap figure in: " + out.strip());
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    public String log() {
        return DaemonLaunch.log(dir);
    }

    /** The whole daemon log so far. */
    public String fullLog() throws IOException {
        return Files.readString(dir.resolve("daemon.log"));
    }

    @Override
    public void close() {
        DaemonLaunch.stop(process);
        DaemonLaunch.keepLog(dir);
    }
}
