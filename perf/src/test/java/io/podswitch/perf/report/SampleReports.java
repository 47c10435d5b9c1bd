package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reports built in code for the report, chart and compare tests. */
final class SampleReports {

    private SampleReports() {
    }

    static MachineDescription machine(String cpu) {
        return new MachineDescription("host1", cpu, 8, "3000 MHz max", "performance", "6.8.0", "Temurin 25",
                List.of("--enable-native-access=ALL-UNNAMED"), "2026-11-26T12:00:00Z",
                "0123456789abcdef0123456789abcdef01234567");
    }

    static RunSettings settings() {
        return new RunSettings(10, 3, 3, List.of(0, 1, 2, 3), List.of(64, 1500), false, 42);
    }

    static Measurement ok(String scenario, String subject, String metric, Direction d, Map<String, String> params,
                          double... values) {
        return Measurement.ok(scenario, subject, metric, "Mpps", d, params, values, "");
    }

    /** tap-forward at two sizes with a kernel baseline, engine scaling, latency percentiles. */
    static Report full(String cpu) {
        List<Measurement> m = new ArrayList<>();
        for (int size : List.of(64, 1500)) {
            Map<String, String> p = Map.of("packet_size", Integer.toString(size));
            m.add(ok("tap-forward", "podswitch", "forwarded_rate", Direction.HIGHER_IS_BETTER, p, 2.0, 2.2, 1.9));
            m.add(ok("tap-forward", "kernel-forward", "forwarded_rate", Direction.HIGHER_IS_BETTER, p, 1.0, 1.1, 0.9));
        }
        for (int w = 1; w <= 2; w++) {
            Map<String, String> p = Map.of("workers", Integer.toString(w), "mode", "io", "packet_size", "64");
            m.add(ok("engine", "podswitch", "throughput", Direction.HIGHER_IS_BETTER, p, 10.0 * w, 11.0 * w));
            m.add(ok("engine", "dpdk-testpmd", "throughput", Direction.HIGHER_IS_BETTER, p, 20.0 * w, 21.0 * w));
        }
        for (String pct : List.of("50", "90", "99", "99.9", "99.99")) {
            Map<String, String> p = Map.of("load", "light", "percentile", pct);
            double base = Double.parseDouble(pct);
            m.add(Measurement.ok("latency", "podswitch", "rtt", "µs", Direction.LOWER_IS_BETTER, p,
                    new double[]{base, base + 1}, ""));
            m.add(Measurement.ok("latency", "linux-bridge", "rtt", "µs", Direction.LOWER_IS_BETTER, p,
                    new double[]{base * 2, base * 2 + 1}, ""));
        }
        m.add(Measurement.notMeasured("cni", "podswitch", "add_latency_p50", "ms", Direction.LOWER_IS_BETTER,
                Map.of("pods", "100"), Status.UNAVAILABLE, "no CniSide is bound"));
        return new Report(Report.SCHEMA_VERSION, machine(cpu), settings(),
                List.of(new ScenarioInfo("tap-forward", "tap", 12.5), new ScenarioInfo("engine", "engine", 3, List.of(new SubjectJvm("podswitch",
                                "bench JVM", List.of("-XX:+UseG1GC", "--add-opens=a/b=c"), "C1+C2",
                                List.of("-XX:+UseTransparentHugePages")))),
                        new ScenarioInfo("latency", "latency", 4), new ScenarioInfo("cni", "cni | pipes", 1)),
                List.of(new MissingTool("dpdk-test", "fib", "apt-get install -y dpdk")), m);
    }

    static Report withMeasurements(List<Measurement> measurements) {
        return new Report(Report.SCHEMA_VERSION, machine("cpu"), settings(), List.of(), List.of(), measurements);
    }
}
