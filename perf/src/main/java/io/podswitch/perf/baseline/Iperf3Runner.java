package io.podswitch.perf.baseline;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.perf.topo.BackgroundProcess;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * iperf3 TCP between two namespaces: a server in one (stopped when done), the client in the other,
 * JSON output.
 * The figure is the receiver's rate ({@code end.sum_received.bits_per_second}).
 */
public final class Iperf3Runner {

    /** How long the server may take to listen (process start in a namespace on a loaded machine). */
    static final Duration SERVER_START = Duration.ofSeconds(15);

    private final Path iperf3;

    public Iperf3Runner(Path iperf3) {
        this.iperf3 = iperf3;
    }

    /** Gbit/s received by the server over {@code duration} (whole seconds, at least one). */
    public double tcpGbps(String clientNs, String serverNs, String serverIp, int port, Duration duration)
            throws IOException, InterruptedException {
        return tcpGbps(clientNs, serverNs, serverIp, port, duration, 1);
    }

    /**
     * Gbit/s received by the server over {@code duration} with {@code streams} parallel TCP streams
     * ({@code -P}); the figure is their sum. {@code serverIp} may be a service address that leads to the
     * server (iperf3's control connection and every stream must reach the same server).
     */
    public double tcpGbps(String clientNs, String serverNs, String serverIp, int port, Duration duration, int streams)
            throws IOException, InterruptedException {
        if (streams < 1 || streams > 128) {
            throw new IllegalArgumentException("streams must be 1..128, got " + streams);
        }
        return receivedGbps(client(clientNs, serverNs, serverIp, port, duration, "-P", Integer.toString(streams)));
    }

    /**
     * Packets per second (millions) the server received from an unpaced UDP stream ({@code -u -b 0})
     * of {@code payload}-byte datagrams over {@code duration}: one sender thread, so on a small
     * machine this is also bounded by the sender.
     */
    public double udpMpps(String clientNs, String serverNs, String serverIp, int port, Duration duration, int payload)
            throws IOException, InterruptedException {
        return receivedMpps(client(clientNs, serverNs, serverIp, port, duration, "-u", "-b", "0", "-l",
                Integer.toString(payload)), payload);
    }

    private String client(String clientNs, String serverNs, String serverIp, int port, Duration duration,
                          String... extra) throws IOException, InterruptedException {
        long seconds = testSeconds(duration);
        try (BackgroundProcess server = BackgroundProcess.start(Exec.inNetns(serverNs, iperf3.toString(), "-s",
                "-p", Integer.toString(port)))) {
            String json = null;
            IOException last = new IOException("iperf3 server did not listen within " + SERVER_START);
            long deadline = System.nanoTime() + SERVER_START.toNanos();
            while (json == null && System.nanoTime() < deadline) { // the server needs a moment to listen
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(iperf3.toString(), "-c",
                        serverIp, "-p", Integer.toString(port), "-t", Long.toString(seconds), "-J"));
                args.addAll(java.util.List.of(extra));
                Exec.Result r = Exec.exec(Exec.inNetns(clientNs, args.toArray(String[]::new)), Duration.ofSeconds(seconds + 30));
                // iperf3 -J may exit 0 and still report "unable to connect" in its JSON: retry that too.
                if (r.exitCode() == 0 && jsonError(r.stdout()) == null) {
                    json = r.stdout();
                } else {
                    String why = error(r.stdout(), r.stderr());
                    last = new IOException("iperf3 client exited with " + r.exitCode() + ": " + why
                            + (server.isAlive() ? "" : "; server: " + server.stdout().strip() + server.stderr().strip()));
                    if (!why.contains("Connection refused") || !server.isAlive()) {
                        throw last;
                    }
                    Thread.sleep(100); // the server is not listening yet
                }
            }
            if (json == null) {
                throw last;
            }
            return json;
        }
    }

    /** How long iperf3 sends for a requested {@code duration}: whole seconds ({@code -t}), at least one. */
    public static long testSeconds(Duration duration) {
        return Math.max(1, Math.round(duration.toMillis() / 1000.0));
    }

    /** Parses iperf3 -J -u client output: datagrams the receiver got per second, in millions. */
    public static double receivedMpps(String json, int payload) throws IOException {
        try {
            JsonNode sum = received(json);
            if (sum.path("bytes").isNumber() && sum.path("seconds").isNumber() && sum.path("seconds").doubleValue() > 0) {
                return sum.path("bytes").doubleValue() / payload / sum.path("seconds").doubleValue() / 1e6;
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("iperf3 printed no JSON: " + e.getMessage(), e);
        }
        throw new IOException("iperf3 JSON has no end.sum_received.bytes/seconds");
    }

    /** Parses iperf3 -J client output. */
    public static double receivedGbps(String json) throws IOException {
        try {
            JsonNode bps = received(json).path("bits_per_second");
            if (bps.isNumber()) {
                return bps.doubleValue() / 1e9;
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("iperf3 printed no JSON: " + e.getMessage(), e);
        }
        throw new IOException("iperf3 JSON has no end.sum_received.bits_per_second");
    }

    /** {@code end.sum_received} of iperf3's JSON output (missing when absent). @throws IOException iperf3's error */
    private static JsonNode received(String json) throws IOException {
        JsonNode root = JsonCodec.tree(json);
        if (root.path("error").isString()) {
            throw new IOException("iperf3: " + root.path("error").stringValue());
        }
        return root.path("end").path("sum_received");
    }

    /** The {@code error} of iperf3's JSON output, or null when there is none (or no JSON). */
    static String jsonError(String stdout) {
        try {
            JsonNode error = JsonCodec.tree(stdout).path("error");
            if (error.isString()) {
                return error.stringValue();
            }
        } catch (IllegalArgumentException ignored) {
            // not JSON
        }
        return null;
    }

    private static String error(String stdout, String stderr) {
        String e = jsonError(stdout);
        if (e != null) {
            return e;
        }
        String s = (stdout + stderr).strip();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

}
