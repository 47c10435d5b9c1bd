package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.Iperf3Runner;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.connrate.ConnectionRateResult;
import io.podswitch.perf.bench.connrate.ShortConnectionLoad;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The steps the scenarios that pit podswitch against a kernel data plane on a node of namespaces share
 * (service: kube-proxy's modes; policy: Calico's): the loop over subjects (skipped by {@code --side}, or needing
 * root), short-connection rate and connect+reply latency from a client pod, iperf3 throughput, and the same
 * metrics marked not measured when a step cannot run (so a table row never silently disappears).
 */
final class ClientServerSteps {
    static final Outcomes.Metric CONN_RATE = Outcomes.Metric.higher("connection_rate", "conn/s");
    static final Outcomes.Metric CONN_LATENCY = Outcomes.Metric.lower("connection_latency", "µs");
    static final Outcomes.Metric THROUGHPUT = Outcomes.Metric.higher("tcp_throughput", "Gbit/s");
    static final List<Integer> PERCENTILES = List.of(50, 99);

    private ClientServerSteps() {
    }

    /** Connections in flight at once: 8, or 2 in a smoke run. */
    static int parallel(ScenarioContext ctx) {
        return ctx.smoke() ? 2 : 8;
    }

    /** How many of the subjects {@code --side} selects. */
    static int selected(BenchSettings s, List<String> subjects) {
        int n = 0;
        for (String subject : subjects) {
            n += s.sideSelected(subject) ? 1 : 0;
        }
        return n;
    }

    /** Measures the selected subjects: {@code measure} one that can run, {@code notMeasured} the others (why). */
    static List<Measurement> eachSubject(ScenarioContext ctx, String scenario, List<String> subjects,
                                         Function<Outcomes, List<Measurement>> measure,
                                         NotMeasured notMeasured) {
        for (String s : ctx.settings().sides()) {
            if (!subjects.contains(s)) {
                throw new IllegalArgumentException("--side " + s + ": the " + scenario + " scenario knows " + subjects);
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (String subject : subjects) {
            Outcomes o = new Outcomes(scenario, subject);
            if (!ctx.settings().sideSelected(subject)) {
                out.addAll(notMeasured.of(o, Status.SKIPPED, "not selected (--side)"));
            } else if (!ctx.isRoot()) {
                out.addAll(notMeasured.of(o, Status.NEEDS_ROOT, "namespaces and veths need root"));
            } else {
                out.addAll(measure.apply(o));
            }
        }
        return out;
    }

    /** A subject's whole set of metrics, marked with why they were not measured. */
    @FunctionalInterface
    interface NotMeasured {
        List<Measurement> of(Outcomes o, Status status, String reason);
    }

    /**
     * Short connections from {@code clientNs} to {@code target} (host:port), {@link #parallel} at once, each
     * connect + request + reply + close: the rate and the p50/p99 connect+reply latency per repetition.
     * {@code note} words the rate's note from the samples (which also hold {@code failed}, the attempts per
     * repetition refused, timed out or failed) and the replies per backend of the last repetition.
     */
    static List<Measurement> connections(ScenarioContext ctx, Outcomes o, String label, String clientNs, String target,
                                         Map<String, String> params,
                                         BiFunction<Samples, Map<String, Long>, String> note) {
        int parallel = parallel(ctx);
        Duration warmup = ctx.smoke() ? Duration.ZERO : Duration.ofMillis(500);
        Map<String, Long> lastSpread = new LinkedHashMap<>();
        try {
            Samples s = ctx.measure(o.subject() + " " + label, d -> {
                ConnectionRateResult r = ShortConnectionLoad.timed(clientNs, target, parallel, warmup, d);
                if (r.ok() == 0) {
                    throw new IOException("no connection completed to " + target + " (refused " + r.refused()
                            + ", timeouts " + r.timeouts() + ", errors " + r.errors() + ")");
                }
                lastSpread.clear();
                lastSpread.putAll(r.backends());
                Map<String, Double> v = new LinkedHashMap<>();
                v.put(CONN_RATE.name(), r.perSecond());
                v.put("p50", r.p50Micros());
                v.put("p99", r.p99Micros());
                v.put("failed", (double) (r.refused() + r.timeouts() + r.errors()));
                return v;
            });
            List<Measurement> out = new ArrayList<>();
            out.add(o.ok(CONN_RATE, params, s, note.apply(s, lastSpread)));
            for (int p : PERCENTILES) {
                out.add(o.ok(CONN_LATENCY, withPercentile(params, p), s.get("p" + p),
                        "HdrHistogram over every connection of the repetition"));
            }
            return out;
        } catch (Exception e) {
            return notConnections(o, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    /** The connection rate and latency percentiles of {@link #connections}, not measured. */
    static List<Measurement> notConnections(Outcomes o, Map<String, String> params, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        out.add(o.not(CONN_RATE, params, status, reason));
        for (int p : PERCENTILES) {
            out.add(o.not(CONN_LATENCY, withPercentile(params, p), status, reason));
        }
        return out;
    }

    /** iperf3 TCP throughput from {@code clientNs} to a server started in {@code serverNs}, {@code streams} streams. */
    static Measurement throughput(ScenarioContext ctx, Outcomes o, String label, Optional<Path> iperf3, String clientNs,
                                  String serverNs, String target, int port, int streams, Map<String, String> params,
                                  String note) {
        if (iperf3.isEmpty()) {
            return o.not(THROUGHPUT, params, Status.MISSING_TOOL, "iperf3 not installed (apt-get install -y iperf3)");
        }
        Iperf3Runner runner = new Iperf3Runner(iperf3.get());
        try {
            Samples s = ctx.measure(o.subject() + " " + label, d -> Map.of(THROUGHPUT.name(),
                    runner.tcpGbps(clientNs, serverNs, target, port, d, streams)));
            return o.ok(THROUGHPUT, params, s, note);
        } catch (Exception e) {
            return o.not(THROUGHPUT, params, Status.FAILED, Outcomes.reason(e));
        }
    }

    static Map<String, String> withPercentile(Map<String, String> params, int p) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.put("percentile", Integer.toString(p));
        return m;
    }

    /** The first line of {@code tool versionArgument} (e.g. {@code --version}), or the tool's name. */
    static String version(Path tool, String versionArgument) {
        try {
            Exec.Result r = Exec.exec(List.of(tool.toString(), versionArgument), Exec.DEFAULT_TIMEOUT);
            String v = (r.stdout() + r.stderr()).strip();
            return v.isEmpty() ? tool.getFileName().toString() : v.lines().findFirst().orElse(v);
        } catch (IOException e) {
            return tool.getFileName().toString();
        }
    }

    /** Values joined with '/', as whole numbers (e.g. failed attempts per repetition). */
    static String join(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.isEmpty() ? "" : "/").append((long) v);
        }
        return b.toString();
    }
}
