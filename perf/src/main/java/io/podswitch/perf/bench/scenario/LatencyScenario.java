package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.connrate.ConnectionRateResult;
import io.podswitch.perf.bench.connrate.ShortConnectionLoad;
import io.podswitch.perf.bench.latency.RoundTripProbe;
import io.podswitch.perf.bench.latency.UdpBlaster;
import io.podswitch.perf.bench.latency.UdpEchoServer;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.bench.side.SwitchPathSide;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * UDP request/response round trips through the forwarder at a fixed rate, under light load (the
 * probe alone) and heavy load (plus an unpaced 1400-byte UDP stream along the same path), recorded
 * in HdrHistogram from each request's intended send time (coordinated omission accounted for); and
 * sequential TCP request/response connections with idle gaps ({@code load=sequential}: connect, 6-byte
 * request, reply, close, then {@value #GAP_MS} ms of nothing before the next), the traffic of a
 * request/response service where every connection may find the forwarder idle.
 */
public final class LatencyScenario implements Scenario {

    static final String NAME = "latency";
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final Outcomes.Metric RTT = Outcomes.Metric.lower("rtt", "µs");
    static final Outcomes.Metric MAX = Outcomes.Metric.lower("rtt_max", "µs");
    static final Outcomes.Metric LOST = Outcomes.Metric.lower("lost", "requests");
    static final Outcomes.Metric CONNECTION = Outcomes.Metric.lower("connection_latency", "µs");
    static final Outcomes.Metric FAILED = Outcomes.Metric.lower("failed", "connections");
    static final double[] CONNECTION_PERCENTILES = {50, 99};
    private static final int ECHO_PORT = 7007;
    private static final int BLAST_PORT = 7009;
    private static final int RR_PORT = 7011;
    static final int GAP_MS = 5;
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "UDP request/response RTT p50..p99.99/max under light and heavy load, HdrHistogram, coordinated-omission aware; baselines Linux bridge, kernel routing";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 9;
    }

    /** Sequential connections per repetition. */
    static int connections(ScenarioContext ctx) {
        return ctx.smoke() ? 20 : 300;
    }

    /** Requests per second of the probe schedule. */
    static int rate(ScenarioContext ctx) {
        return ctx.smoke() ? 200 : 2000;
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) throws Exception {
        PodswitchSides sides = ctx.sides();
        List<Measurement> out = new ArrayList<>();
        List<Optional<PathSubject>> subjects = List.of(
                sides.switchPath().map(s -> (PathSubject) PathSubject.Podswitch.oneWorker(s, PortKind.TAP, ctx.settings().cores())),
                Optional.of(new PathSubject.LinuxBridge()), Optional.of(new PathSubject.KernelForward()));
        for (Optional<PathSubject> subject : subjects) {
            Outcomes o = new Outcomes(NAME, subject.map(PathSubject::name).orElse(Measurement.PODSWITCH));
            if (subject.isEmpty()) {
                out.addAll(notMeasured(o, Status.UNAVAILABLE, PodswitchSides.unboundReason(SwitchPathSide.class)));
            } else if (!ctx.isRoot()) {
                out.addAll(notMeasured(o, Status.NEEDS_ROOT, "namespaces and veths need root"));
            } else {
                out.addAll(measure(ctx, subject.get(), o));
            }
        }
        return out;
    }

    static String percentile(double p) {
        String s = String.format(Locale.ROOT, "%.2f", p);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static List<Measurement> notMeasured(Outcomes o, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (String load : List.of("light", "heavy")) {
            for (double p : PERCENTILES) {
                out.add(o.not(RTT, Outcomes.params("load", load, "percentile", percentile(p)), status, reason));
            }
            out.add(o.not(MAX, Outcomes.params("load", load), status, reason));
            out.add(o.not(LOST, Outcomes.params("load", load), status, reason));
        }
        for (double p : CONNECTION_PERCENTILES) {
            out.add(o.not(CONNECTION, Outcomes.params("load", "sequential", "percentile", percentile(p)), status, reason));
        }
        out.add(o.not(FAILED, Outcomes.params("load", "sequential"), status, reason));
        return out;
    }

    private List<Measurement> measure(ScenarioContext ctx, PathSubject subject, Outcomes o) {
        List<Measurement> out = new ArrayList<>();
        try (Topology t = Topology.create()) {
            PathSubject.Built built = subject.build(t);
            try (AutoCloseable _ = built.forwarder();
                 UdpEchoServer _ = UdpEchoServer.start(built.path().sinkNs(), built.path().dstIp(), ECHO_PORT);
                 ShortConnectionLoad.Servers _ = ShortConnectionLoad.startServers(List.of(built.path().sinkNs()), RR_PORT)) {
                for (String load : List.of("light", "heavy")) {
                    out.addAll(step(ctx, subject, o, built, load));
                }
                out.addAll(sequential(ctx, subject, o, built));
            }
        } catch (SideUnavailableException e) {
            out.addAll(notMeasured(o, Status.UNAVAILABLE, e.getMessage()));
        } catch (Exception e) {
            out.addAll(notMeasured(o, Status.FAILED, Outcomes.reason(e)));
        }
        return out;
    }

    /** One connection at a time, {@link #GAP_MS} ms apart: each may meet an idle forwarder. */
    private List<Measurement> sequential(ScenarioContext ctx, PathSubject subject, Outcomes o, PathSubject.Built built)
            throws Exception {
        int count = connections(ctx);
        String target = built.path().dstIp() + ":" + RR_PORT;
        Samples s = ctx.measure(subject.name() + " sequential connections", d -> {
            ConnectionRateResult r = ShortConnectionLoad.sequential(built.path().genNs(), target, count,
                    Duration.ofMillis(GAP_MS));
            if (r.ok() == 0) {
                throw new java.io.IOException("no connection completed to " + target + " (refused " + r.refused()
                        + ", timeouts " + r.timeouts() + ", errors " + r.errors() + ")");
            }
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("p50", r.p50Micros());
            v.put("p99", r.p99Micros());
            v.put(FAILED.name(), (double) (r.refused() + r.timeouts() + r.errors()));
            return v;
        });
        String note = count + " TCP connections one at a time (connect + 6 B request + reply + close), "
                + GAP_MS + " ms idle between them";
        List<Measurement> out = new ArrayList<>();
        for (double p : CONNECTION_PERCENTILES) {
            out.add(o.ok(CONNECTION, Outcomes.params("load", "sequential", "percentile", percentile(p)),
                    s.get("p" + percentile(p)), note));
        }
        out.add(o.ok(FAILED, Outcomes.params("load", "sequential"), s, "refused, timed out (3 s) or reset"));
        return out;
    }

    private List<Measurement> step(ScenarioContext ctx, PathSubject subject, Outcomes o, PathSubject.Built built,
                                   String load) throws Exception {
        int rate = rate(ctx);
        Samples s = ctx.measure(subject.name() + " " + load + " load", d -> {
            UdpBlaster blaster = load.equals("heavy") ? UdpBlaster.start(built.path().genNs(), built.path().sinkNs(),
                    built.path().dstIp(), BLAST_PORT) : null;
            try {
                RoundTripProbe.Result r = RoundTripProbe.run(built.path().genNs(), built.path().dstIp(), ECHO_PORT,
                        rate, d, TIMEOUT);
                if (r.histogram().getTotalCount() == 0) {
                    throw new java.io.IOException("no request was answered (" + r.sent() + " sent)");
                }
                Map<String, Double> v = new LinkedHashMap<>();
                for (double p : PERCENTILES) {
                    v.put("p" + percentile(p), r.micros(p));
                }
                v.put(MAX.name(), r.maxMicros());
                v.put(LOST.name(), (double) r.lost());
                return v;
            } finally {
                if (blaster != null) {
                    blaster.close();
                }
            }
        });
        List<Measurement> out = new ArrayList<>();
        String note = rate + " req/s, 64 B UDP" + (load.equals("heavy") ? " + unpaced 1400 B UDP stream" : "");
        for (double p : PERCENTILES) {
            out.add(o.ok(RTT, Outcomes.params("load", load, "percentile", percentile(p)), s.get("p" + percentile(p)),
                    note));
        }
        out.add(o.ok(MAX, Outcomes.params("load", load), s, note));
        out.add(o.ok(LOST, Outcomes.params("load", load), s, "unanswered within " + TIMEOUT.toMillis() + " ms"));
        return out;
    }
}
