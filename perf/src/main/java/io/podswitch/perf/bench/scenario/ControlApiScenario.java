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
import io.podswitch.perf.bench.Trial;
import io.podswitch.perf.bench.controlapi.CannedCni;
import io.podswitch.perf.bench.controlapi.PluginClient;
import io.podswitch.perf.bench.controlapi.ServerRace;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.sides.TwoServerPodswitchd;
import io.podswitch.perf.topo.Topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The control API's ADD round trip on the Netty server podswitchd runs ({@link ControlServer}: Netty's HTTP
 * codec on io_uring, NIO where io_uring is refused) against the hand-written server it replaced
 * ({@link HandWrittenControlServer}, as at 4aea6d1^), each on its own Unix socket in front of the same
 * {@link ControlApi}. The client is the plugin's own code ({@link PluginClient}: connect, one HTTP/1.1 POST,
 * read the answer, close, parse the result), calls interleaved server by server ({@link ServerRace}). Two steps:
 *
 * <ul>
 *   <li>{@code data_plane=faked}: both servers in the bench JVM, the data plane faked ({@link CannedCni}: ADD
 *       answers at once with a dual-stack result) — the server's own cost, with everything it shares with its
 *       rival (JSON, the hop to the {@link ControlThread}) but no TAP or netns work, whose ~17 ms spread by
 *       several ms (docs/benchmarks-cni.md) would hide a difference of tens of microseconds. Where io_uring is
 *       available, the same Netty server on NIO (podswitchd's fallback) runs as a third subject. No root.</li>
 *   <li>{@code data_plane=real} (root): one real podswitchd serving both servers ({@link TwoServerPodswitchd}),
 *       ADDs of pods in fresh network namespaces (TAP, IPAM, fsyncs), interleaved pod by pod; all DELed after
 *       each repetition (not timed).</li>
 * </ul>
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
    /** Pods per server and repetition with the real data plane (each a netns, a TAP, an address). */
    static final int REAL_PODS = 40;
    static final int SMOKE_REAL_PODS = 2;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "control API: CNI ADD round trip (the plugin's client) on podswitchd's Netty server vs the hand-written "
                + "server it replaced, same handler, interleaved; data plane faked, and real (root)";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(false, List.of("ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 2;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        List<Measurement> out = new ArrayList<>(faked(ctx));
        out.addAll(real(ctx));
        return out;
    }

    private List<Measurement> faked(ScenarioContext ctx) throws Exception {
        Path dir = Files.createTempDirectory("podswitch-bench-ctlapi-");
        try (ControlThread control = new ControlThread(); HttpTransport transport = HttpTransport.start();
             HttpTransport nio = HttpTransport.startNio()) {
            ControlApi api = new ControlApi(control, new CannedCni(), null, null, null, null);
            try (ControlServer netty = ControlServer.start(transport, dir.resolve("netty.sock"), api,
                    ListenerSettings.DEFAULTS);
                 ControlServer nettyNio = ControlServer.start(nio, dir.resolve("netty-nio.sock"), api,
                         ListenerSettings.DEFAULTS);
                 HandWrittenControlServer handWritten = HandWrittenControlServer.start(dir.resolve("hand.sock"),
                         api::handle)) {
                Map<String, String> servers = new LinkedHashMap<>();
                servers.put(Measurement.PODSWITCH, "Netty HTTP codec on " + transport.name());
                servers.put(HAND_WRITTEN, "pre-Netty server (4aea6d1^)");
                Map<String, PluginClient> clients = new LinkedHashMap<>();
                clients.put(Measurement.PODSWITCH, new PluginClient(netty.socket()));
                clients.put(HAND_WRITTEN, new PluginClient(handWritten.socket()));
                if (transport.name().equals("io_uring")) {
                    servers.put(NETTY_NIO, "Netty HTTP codec on NIO (podswitchd's fallback)");
                    clients.put(NETTY_NIO, new PluginClient(nettyNio.socket()));
                }
                int minCalls = ctx.smoke() ? SMOKE_MIN_CALLS : MIN_CALLS;
                return race(ctx, "faked", servers, clients, "p50/p99 of each repetition's ADDs (≥ " + minCalls
                        + " per server, interleaved); data plane faked (CannedCni)", d -> {
                    Map<String, ServerRace.Call> calls = new LinkedHashMap<>();
                    clients.forEach((name, client) -> calls.put(name,
                            round -> client.add("bench" + round, "/var/run/netns/bench" + round, "pod-" + round)));
                    return new ServerRace(calls).run(d, minCalls, ADD_P50.name(), ADD_P99.name());
                });
            }
        } finally {
            // The Netty listener leaves its lock file (netty.sock.lock) beside the socket.
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private List<Measurement> real(ScenarioContext ctx) throws Exception {
        Map<String, String> servers = new LinkedHashMap<>();
        servers.put(Measurement.PODSWITCH, "podswitchd's Netty server");
        servers.put(HAND_WRITTEN, "pre-Netty server (4aea6d1^) in the same podswitchd");
        Map<String, String> params = params("real");
        if (!ctx.isRoot()) {
            return notMeasured(servers, params, Status.NEEDS_ROOT, "pod network namespaces and TAPs need root");
        }
        TwoServerPodswitchd daemon;
        try {
            daemon = TwoServerPodswitchd.start();
        } catch (Exception e) {
            return notMeasured(servers, params, Status.FAILED, Outcomes.reason(e));
        }
        try (daemon) {
            Map<String, PluginClient> clients = new LinkedHashMap<>();
            clients.put(Measurement.PODSWITCH, new PluginClient(daemon.nettySocket()));
            clients.put(HAND_WRITTEN, new PluginClient(daemon.handWrittenSocket()));
            int pods = ctx.smoke() ? SMOKE_REAL_PODS : REAL_PODS;
            return race(ctx, "real", servers, clients, "p50/p99 of each repetition's " + pods + " ADDs per server "
                    + "(one podswitchd, a fresh netns per pod, interleaved pod by pod; DEL after, not timed)",
                    d -> realRepetition(clients, pods));
        }
    }

    /** One repetition on the real daemon: a netns per pod and server (not timed), the ADDs timed, then all DELed. */
    private static Map<String, Double> realRepetition(Map<String, PluginClient> clients, int pods) throws Exception {
        try (Topology t = Topology.create()) {
            Map<String, List<String>> namespaces = new LinkedHashMap<>();
            int s = 0;
            for (String server : clients.keySet()) {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < pods; i++) {
                    mine.add(t.netns("s" + s + "p" + i));
                }
                namespaces.put(server, mine);
                s++;
            }
            Map<String, ServerRace.Call> calls = new LinkedHashMap<>();
            clients.forEach((server, client) -> calls.put(server, round -> {
                String ns = namespaces.get(server).get(round);
                client.add(ns, "/var/run/netns/" + ns, ns);
            }));
            try {
                return new ServerRace(calls).run(Duration.ZERO, pods, ADD_P50.name(), ADD_P99.name());
            } finally {
                for (Map.Entry<String, PluginClient> c : clients.entrySet()) {
                    for (String ns : namespaces.get(c.getKey())) {
                        c.getValue().del(ns, "/var/run/netns/" + ns, ns);
                    }
                }
            }
        }
    }

    private static List<Measurement> race(ScenarioContext ctx, String dataPlane, Map<String, String> servers,
                                          Map<String, PluginClient> clients, String how, Trial trial) {
        Map<String, String> params = params(dataPlane);
        List<String> selected = clients.keySet().stream().filter(ctx.settings()::sideSelected).toList();
        clients.keySet().retainAll(selected);
        if (selected.isEmpty()) {
            return notMeasured(servers, params, Status.SKIPPED, "not selected (--side)");
        }
        Samples samples;
        try {
            samples = ctx.measure("ADD round trip, data plane " + dataPlane + ", " + String.join(" vs ", selected)
                    + ", interleaved", trial);
        } catch (Exception e) {
            return notMeasured(servers, params, Status.FAILED, Outcomes.reason(e));
        }
        List<Measurement> out = new ArrayList<>();
        for (Map.Entry<String, String> server : servers.entrySet()) {
            Outcomes o = new Outcomes(NAME, server.getKey());
            if (!selected.contains(server.getKey())) {
                out.addAll(o.not(METRICS, params, Status.SKIPPED, "not selected (--side)"));
                continue;
            }
            for (Outcomes.Metric m : METRICS) {
                out.add(o.ok(m, params, samples.get(server.getKey() + "/" + m.name()), server.getValue() + "; " + how));
            }
        }
        return out;
    }

    private static Map<String, String> params(String dataPlane) {
        return Outcomes.params("data_plane", dataPlane, "client", "plugin (one connection per call)");
    }

    private static List<Measurement> notMeasured(Map<String, String> servers, Map<String, String> params,
                                                 Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (String server : servers.keySet()) {
            out.addAll(new Outcomes(NAME, server).not(METRICS, params, status, reason));
        }
        return out;
    }
}
