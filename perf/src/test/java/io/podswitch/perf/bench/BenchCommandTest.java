package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Direction;
import io.podswitch.perf.report.MachineDescription;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Report;
import io.podswitch.perf.report.ReportJson;
import io.podswitch.perf.report.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A scenario that measures a constant rate and, when told, fails or lacks a tool. */
    private record FakeScenario(String name, double rate, boolean fail) implements Scenario {
        @Override
        public String description() {
            return "fake " + name;
        }

        @Override
        public Requirements requirements() {
            return new Requirements(false, List.of("fake-tool"));
        }

        @Override
        public int plannedSteps(BenchSettings s) {
            return 1;
        }

        @Override
        public List<Measurement> run(ScenarioContext ctx) throws Exception {
            if (fail) {
                throw new IllegalStateException("topology exploded");
            }
            ctx.tool("podswitch-missing-tool", "apt-get install -y nothing");
            Samples s = ctx.measure("rate", d -> Map.of("rate", rate));
            return List.of(Measurement.ok(name, "podswitch", "rate", "Mpps", Direction.HIGHER_IS_BETTER,
                    Map.of("packet_size", "64"), s.get("rate"), ""));
        }
    }

    private int execute(List<Scenario> scenarios, String... args) {
        MachineDescription machine = new MachineDescription("h", "cpu", 2, "1 MHz", "unknown", "k", "jdk", List.of(),
                "2026-01-01T00:00:00Z", "unknown");
        BenchCommand c = new BenchCommand(new ScenarioRegistry(scenarios), PodswitchSides.none(),
                new ToolFinder(List.of()), new ToolFinder(List.of()), false, () -> machine);
        return c.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runWritesJsonMarkdownAndChartsAndReportsMissingTools(@TempDir Path dir) throws Exception {
        int rc = execute(List.of(new FakeScenario("alpha", 3.0, false), new FakeScenario("beta", 1.0, true)),
                "--duration", "10ms", "--warmup", "0", "--repeat", "2", "--out", dir.toString());
        assertEquals(BenchCommand.EXIT_OK, rc, err());
        Report r = ReportJson.read(dir.resolve("report.json"));
        assertEquals(List.of("alpha", "beta"), r.scenarios().stream().map(s -> s.name()).toList());
        Measurement alpha = r.measurements().getFirst();
        assertEquals(Status.OK, alpha.status());
        assertEquals(2, alpha.values().length);
        Measurement beta = r.measurements().get(1);
        assertEquals(Status.FAILED, beta.status());
        assertTrue(beta.note().contains("topology exploded"), beta.note());
        assertEquals("podswitch-missing-tool", r.missingTools().getFirst().tool());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("## alpha"));
        assertTrue(Files.exists(dir.resolve("charts/throughput-alpha-rate.svg")));
        assertTrue(out().contains("missing tool podswitch-missing-tool"), out());
        assertTrue(err().contains("[1/2] alpha rate rep 1/2"), err());
    }

    @Test
    void unknownScenarioIsAUsageError(@TempDir Path dir) {
        assertEquals(BenchCommand.EXIT_USAGE, execute(List.of(new FakeScenario("alpha", 1, false)), "gamma", "--out",
                dir.toString()));
        assertTrue(err().contains("unknown scenario 'gamma' (known: alpha)"), err());
    }

    @Test
    void badOptionPrintsUsage() {
        assertEquals(BenchCommand.EXIT_USAGE, execute(List.of(), "--repeat", "none"));
        assertTrue(err().contains("usage: podswitch bench"), err());
    }

    @Test
    void listPrintsOneLinePerScenario() {
        assertEquals(BenchCommand.EXIT_OK, execute(List.of(new FakeScenario("alpha", 1, false),
                new FakeScenario("beta", 1, false)), "list"));
        assertEquals(List.of("alpha          fake alpha (no root needed; tools: fake-tool)",
                "beta           fake beta (no root needed; tools: fake-tool)"), out().lines().toList());
    }

    @Test
    void compareExitsThreeOnRegressionAndZeroOtherwise(@TempDir Path dir) throws Exception {
        Path fast = dir.resolve("fast");
        Path slow = dir.resolve("slow");
        assertEquals(0, execute(List.of(new FakeScenario("alpha", 10.0, false)), "--duration", "1ms", "--warmup", "0",
                "--repeat", "1", "--out", fast.toString()));
        assertEquals(0, execute(List.of(new FakeScenario("alpha", 9.0, false)), "--duration", "1ms", "--warmup", "0",
                "--repeat", "1", "--out", slow.toString()));
        out.reset();
        assertEquals(BenchCommand.EXIT_REGRESSIONS, execute(List.of(), "compare", fast.resolve("report.json").toString(),
                slow.resolve("report.json").toString()));
        assertTrue(out().contains("| regression | alpha | podswitch | rate (Mpps)"), out());
        assertEquals(BenchCommand.EXIT_OK, execute(List.of(), "compare", fast.resolve("report.json").toString(),
                slow.resolve("report.json").toString(), "--threshold", "15"));
        assertEquals(BenchCommand.EXIT_OK, execute(List.of(), "compare", slow.resolve("report.json").toString(),
                fast.resolve("report.json").toString()));
    }

    @Test
    void compareOfUnreadableReportIsAFailure(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"schema\": \"podswitch-bench-report\", \"schemaVersion\": 99}");
        assertEquals(BenchCommand.EXIT_FAILURE, execute(List.of(), "compare", bad.toString(), bad.toString()));
        assertTrue(err().contains("version 99 is not supported"), err());
        assertEquals(BenchCommand.EXIT_FAILURE, execute(List.of(), "compare", dir.resolve("none.json").toString(),
                bad.toString()));
    }
}
