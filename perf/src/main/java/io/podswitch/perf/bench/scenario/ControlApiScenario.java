package io.podswitch.perf.bench.scenario;

import io.podswitch.daemon.api.ControlApi;
import io.podswitch.daemon.api.ControlServer;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.http.HttpTransport;
import io.podswitch.daemon.http.ListenerSettings;
import io.podswitch.perf.baseline.HandWrittenControlServer;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.controlapi.CannedCni;
import io.podswitch.perf.bench.controlapi.PluginClient;
import io.podswitch.perf.bench.controlapi.ServerRace;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The control API's ADD round trip on the Netty server podswitchd runs ({@link ControlServer}: Netty's HTTP
 * codec on io_uring, NIO where io_uring is refused) against the hand-written server it replaced
 * ({@link HandWrittenControlServer}, as at 4aea6d1^), in one JVM, each on its own Unix socket, both in front
 * of the same {@link ControlApi} and {@link ControlThread}. The client is the plugin's own code
 * ({@link PluginClient}: connect, one HTTP/1.1 POST, read the answer, close, parse the result), calls
 * interleaved server by server ({@link ServerRace}).
 *
 * <p>The data plane is faked ({@link CannedCni}: ADD answers at once with a dual-stack result), so the figure
 * is the server's cost and everything it shares with its rival — JSON, the hop to the control thread — and
 * no TAP or netns work, which costs both servers the same ~17 ms and would hide a difference of tens of
 * microseconds in its spread (docs/benchmarks-cni.md). Where io_uring is available, the same Netty server on
 * its NIO transport (podswitchd's fallback) runs as a third subject. No root, no tools.
 */
public final class ControlApiScenario implements Scenario {

    static final String NAME = "control-api";
    /** The baseline: the pre-Netty server. */
    static final String HAND_WRITTEN = "hand-written-server";
    /** The same Netty server on its NIO transport: what podswitchd falls back to where io_uring is refused. */
    static final String NETTY_NIO = "netty-nio";
    static final Outcomes.Metric ADD_P50 = Outcomes.Metric.lower("add_round_trip_p50", "µs");
    static final Outcomes.Metric ADD_P99 = Outcomes.Metric.lower("add_round_trip_p99", "µs");
    static final List<Outcomes.Metric> METRICS = List.of(ADD_P50, ADD_P99);
    /** At least this many ADDs per server and repetition, whatever the duration (smoke: a few). */
    static final int MIN_CALLS = 200;
    static final int SMOKE_MIN_CALLS = 10;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "control API: CNI ADD round trip (the plugin's client) on podswitchd's Netty server vs the hand-written "
                + "server it replaced, same handler, data plane faked, interleaved";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of());
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        Path dir = Files.createTempDirectory("podswitch-bench-ctlapi-");
        CannedCni cni = new CannedCni();
        List<Measurement> out = new ArrayList<>();
        try (ControlThread control = new ControlThread(); HttpTransport transport = HttpTransport.start();
             HttpTransport nio = HttpTransport.startNio()) {
            ControlApi api = new ControlApi(control, cni, null, null, null, null);
            try (ControlServer netty = ControlServer.start(transport, dir.resolve("netty.sock"), api,
                    ListenerSettings.DEFAULTS);
                 ControlServer nettyNio = ControlServer.start(nio, dir.resolve("netty-nio.sock"), api,
                         ListenerSettings.DEFAULTS);
                 HandWrittenControlServer handWritten = HandWrittenControlServer.start(dir.resolve("hand.sock"),
                         api::handle)) {
                Map<String, Path> sockets = new LinkedHashMap<>();
                sockets.put(Measurement.PODSWITCH, netty.socket());
                sockets.put(HAND_WRITTEN, handWritten.socket());
                if (transport.name().equals("io_uring")) {
                    sockets.put(NETTY_NIO, nettyNio.socket());
                }
                out.addAll(measure(ctx, sockets, transport.name()));
                if (handWritten.acceptFailures() > 0) {
                    ctx.note(handWritten.acceptFailures() + " failed accepts on the hand-written server");
                }
            }
        } finally {
            // The Netty listener leaves its lock file (netty.sock.lock) beside the socket.
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return out;
    }

    private static List<Measurement> measure(ScenarioContext ctx, Map<String, Path> sockets, String transport) {
        Map<String, String> params = Outcomes.params("data_plane", "faked", "client", "plugin (one connection per call)");
        Map<String, ServerRace.Call> calls = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : sockets.entrySet()) {
            if (ctx.settings().sideSelected(e.getKey())) {
                PluginClient client = new PluginClient(e.getValue());
                calls.put(e.getKey(), round -> client.add("bench" + round, "/var/run/netns/bench" + round, "pod-" + round));
            }
        }
        Samples samples = null;
        String failure = null;
        int minCalls = ctx.smoke() ? SMOKE_MIN_CALLS : MIN_CALLS;
        if (!calls.isEmpty()) {
            try {
                samples = ctx.measure("ADD round trip, " + String.join(" vs ", calls.keySet()) + ", interleaved",
                        d -> new ServerRace(calls).run(d, minCalls, ADD_P50.name(), ADD_P99.name()));
            } catch (Exception e) {
                failure = Outcomes.reason(e);
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (String subject : sockets.keySet()) {
            Outcomes o = new Outcomes(NAME, subject);
            if (!calls.containsKey(subject)) {
                out.addAll(o.not(METRICS, params, Status.SKIPPED, "not selected (--side)"));
            } else if (samples == null) {
                out.addAll(o.not(METRICS, params, Status.FAILED, failure));
            } else {
                String server = switch (subject) {
                    case Measurement.PODSWITCH -> "Netty HTTP codec on " + transport;
                    case NETTY_NIO -> "Netty HTTP codec on NIO (podswitchd's fallback)";
                    default -> "pre-Netty server (4aea6d1^)";
                };
                String note = server + "; p50/p99 of each repetition's ADDs (≥ " + minCalls + " per server, "
                        + "interleaved); data plane faked (CannedCni)";
                for (Outcomes.Metric m : METRICS) {
                    out.add(o.ok(m, params, samples.get(subject + "/" + m.name()), note));
                }
            }
        }
        return out;
    }
}
