package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Requirements;
import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.bench.side.PodNetworkSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.perf.churn.ChurnReport;
import io.podswitch.perf.churn.ChurnSettings;
import io.podswitch.perf.churn.ChurnSoak;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.stats.Percentiles;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The churn soak ({@link ChurnSoak}) as a bench scenario: per repetition a fresh dual-stack podswitchd
 * and {@value #CYCLES} pod lifecycles, four at a time, through the installed plugin, with traffic
 * between live pods; podswitchd is SIGKILLed {@value #DAEMON_KILLS} times during plugin calls (at
 * seeded random cycles) and started again, every {@value #PLUGIN_KILL_EVERY}th plugin call is killed
 * mid-call, and the daemon is checked at rest every {@value #DRAIN_EVERY} cycles. {@code --repeat N}
 * runs N such soaks (the default 5: 2,000 cycles, 40 daemon kills). The figure that matters is
 * {@code violations}: 0. No baseline: the kernel has no equivalent of a daemon crash.
 */
public final class ChurnScenario implements Scenario {
    static final String NAME = "cni-churn";
    static final int CYCLES = 400;
    static final int WORKERS = 4;
    static final int DAEMON_KILLS = 8;
    static final int PLUGIN_KILL_EVERY = 19;
    static final int DRAIN_EVERY = 100;
    static final Outcomes.Metric VIOLATIONS = Outcomes.Metric.lower("violations", "count");
    static final Outcomes.Metric CYCLES_DONE = Outcomes.Metric.higher("cycles", "count");
    static final Outcomes.Metric DAEMON_KILLED = Outcomes.Metric.higher("daemon_kills", "count");
    static final Outcomes.Metric IPAM_WINDOW = Outcomes.Metric.higher("kills_between_ipam_write_and_answer", "count");
    static final Outcomes.Metric PLUGIN_KILLED = Outcomes.Metric.higher("plugin_kills", "count");
    static final Outcomes.Metric ADD_P50 = Outcomes.Metric.lower("add_latency_p50", "ms");
    static final Outcomes.Metric RATE = Outcomes.Metric.higher("cycles_per_s", "1/s");
    static final List<Outcomes.Metric> METRICS = List.of(VIOLATIONS, CYCLES_DONE, DAEMON_KILLED, IPAM_WINDOW,
            PLUGIN_KILLED, ADD_P50, RATE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pod ADD/DEL churn with traffic while podswitchd and the plugin are kill -9ed: invariants, violations";
    }

    @Override
    public Requirements requirements() {
        return new Requirements(true, List.of("ip", "ping"));
    }

    @Override
    public int plannedSteps(BenchSettings s) {
        return 1;
    }

    /** Settings of one repetition (smoke: a dozen cycles, one kill). */
    static ChurnSettings settings(boolean smoke, long seed) {
        int cycles = smoke ? 12 : CYCLES;
        int kills = smoke ? 1 : DAEMON_KILLS;
        SplittableRandom random = new SplittableRandom(seed);
        TreeSet<Integer> at = new TreeSet<>();
        while (at.size() < kills) {
            at.add(cycles / 10 + random.nextInt(cycles * 8 / 10));
        }
        return new ChurnSettings(cycles, smoke ? 2 : WORKERS, List.copyOf(at), smoke ? 5 : PLUGIN_KILL_EVERY,
                smoke ? 0 : DRAIN_EVERY, 500, seed);
    }

    @Override
    public List<Measurement> run(ScenarioContext ctx) {
        Map<String, String> params = Outcomes.params("cycles", Integer.toString(settings(ctx.smoke(), 0).cycles()),
                "workers", Integer.toString(settings(ctx.smoke(), 0).workers()), "family", "IPv4,IPv6");
        Outcomes podswitch = new Outcomes(NAME, Measurement.PODSWITCH);
        Optional<PodNetworkSide> side = ctx.sides().podNetwork();
        if (side.isEmpty()) {
            return podswitch.not(METRICS, params, Status.UNAVAILABLE, PodswitchSides.unboundReason(PodNetworkSide.class));
        }
        if (!ctx.isRoot()) {
            return podswitch.not(METRICS, params, Status.NEEDS_ROOT, "pod namespaces need root");
        }
        SplittableRandom seeds = ctx.random();
        List<String> summaries = new ArrayList<>();
        try {
            Samples s = ctx.measure(params.get("cycles") + " cycles per repetition", duration -> {
                ChurnSettings settings = settings(ctx.smoke(), seeds.nextLong());
                ChurnReport r;
                try (PodNetwork node = side.get().start("IPv4,IPv6", 256)) {
                    r = new ChurnSoak(node, settings, ctx::note).run();
                }
                ctx.note(r.summary());
                summaries.add(r.violations().size() + " violations");
                Map<String, Double> v = new LinkedHashMap<>();
                v.put(VIOLATIONS.name(), (double) r.violations().size());
                v.put(CYCLES_DONE.name(), (double) r.cycles());
                v.put(DAEMON_KILLED.name(), (double) r.daemonKills());
                v.put(IPAM_WINDOW.name(), (double) r.killsBetweenIpamWriteAndAnswer());
                v.put(PLUGIN_KILLED.name(), (double) r.pluginKillCount());
                v.put(ADD_P50.name(), r.addMillis().isEmpty() ? Double.NaN
                        : Percentiles.of(r.addMillis().stream().mapToDouble(Double::doubleValue).toArray(), 50));
                v.put(RATE.name(), r.cycles() / r.seconds());
                return v;
            }, false);
            List<Measurement> out = new ArrayList<>();
            for (Outcomes.Metric m : METRICS) {
                out.add(podswitch.ok(m, params, s, "per soak (fresh daemon; kills, drains and checks in ChurnSoak); "
                        + String.join(", ", summaries)));
            }
            return out;
        } catch (SideUnavailableException e) {
            return podswitch.not(METRICS, params, Status.UNAVAILABLE, e.getMessage());
        } catch (Exception e) {
            return podswitch.not(METRICS, params, Status.FAILED, Outcomes.reason(e));
        }
    }
}
