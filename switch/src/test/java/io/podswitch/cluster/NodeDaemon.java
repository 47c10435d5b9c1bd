package io.podswitch.cluster;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.daemon.Podswitchd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node's podswitchd, run as production runs it: a separate JVM, started inside the node's
 * network namespace ({@code ip netns exec NODE java … Podswitchd --config F --node NAME …}; ip execs
 * java, so the process is the daemon itself and a kill -9 hits it). State and run directories are
 * per node and survive a restart, so a restarted daemon recovers its pods.
 */
final class NodeDaemon {
    /** The launcher's flags that matter (bin/lib/jdk.sh), and a lean heap: three of these share two cores. */
    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
            "-Xlog:disable", "-Xlog:all=warning:stderr");

    private final String nodeName;
    private final String netns;
    private final Path config;
    private final Path dir;
    private Process process;

    NodeDaemon(String nodeName, String netns, Path config, Path dir) {
        this.nodeName = nodeName;
        this.netns = netns;
        this.config = config;
        this.dir = dir;
    }

    Path socket() {
        return dir.resolve("run").resolve("podswitchd.sock");
    }

    Path logFile() {
        return dir.resolve("podswitchd.log");
    }

    /** Starts the JVM (not waiting for it: see {@link #awaitReady}). */
    synchronized void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(nodeName + ": podswitchd is already running");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Podswitchd.class.getName(),
                "--config", config.toString(), "--node", nodeName,
                "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString(),
                "--idle", "backoff", "--frames", "4096", "--max-pods", "32"));
        Files.createDirectories(dir);
        Files.writeString(logFile(), "== launch " + String.join(" ", cmd) + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    }

    /** Waits until the control socket answers; fails with the log when the daemon exits or is slow. */
    void awaitReady(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException(nodeName + ": podswitchd exited "
                        + (p == null ? "(never started)" : p.exitValue()) + ":\n" + log());
            }
            if (Files.exists(socket())) {
                try {
                    if (get("/v1/pods").status() == 200) {
                        return;
                    }
                } catch (HttpClientException e) {
                    // not listening yet
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(nodeName + ": podswitchd did not answer within " + timeoutSeconds + " s:\n" + log());
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
    void kill9() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGHUP: reload the config. */
    void sighup() {
        Sh.run("kill", "-HUP", Long.toString(pid()));
    }

    /** SIGTERM, then SIGKILL after 10 s. */
    void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    String log() {
        try {
            String s = Files.readString(logFile());
            return s.length() > 8000 ? "…" + s.substring(s.length() - 8000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    HttpResponse get(String path) throws HttpClientException {
        return new UnixHttpClient(socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    /** A control API request with a JSON body (e.g. POST/DELETE /v1/services/endpoints). */
    HttpResponse send(String method, String path, String json) throws HttpClientException {
        return new UnixHttpClient(socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT).exchange(
                new HttpRequest(method, path, Map.of("content-type", "application/json"),
                        json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    /** GET a control API path as JSON; a non-200 answer throws with its body. */
    ObjectReader getJson(String path) throws HttpClientException {
        HttpResponse r = get(path);
        if (r.status() != 200) {
            throw new IllegalStateException(nodeName + " " + path + " answered " + r.status() + ": " + r.bodyText());
        }
        return ObjectReader.of(JsonParser.parse(r.bodyText()), "");
    }

    /** Sum of every live counter whose name contains {@code part} ({@code GET /v1/counters}). */
    long counterSum(String part) throws HttpClientException {
        long sum = 0;
        ObjectReader counters = getJson("/v1/counters").optionalObject("counters");
        for (String name : counters.object().members().keySet()) {
            if (name.contains(part)) {
                sum += counters.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0);
            }
        }
        return sum;
    }

    /** Every live counter whose name contains {@code part}, for failure messages. */
    String counters(String part) throws HttpClientException {
        StringBuilder sb = new StringBuilder();
        ObjectReader counters = getJson("/v1/counters").optionalObject("counters");
        for (String name : counters.object().members().keySet()) {
            if (name.contains(part)) {
                sb.append(name).append('=').append(counters.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0)).append(' ');
            }
        }
        return sb.toString();
    }
}
