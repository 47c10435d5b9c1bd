package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.MachineDescription;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Report;
import io.podswitch.perf.report.ReportJson;
import io.podswitch.perf.report.Status;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --smoke} over every registered scenario, so the harness never rots: every scenario
 * must appear in the report and none may fail. Missing tools are reported, not failures. Without
 * root the namespace steps report needs-root; the privileged variant runs them for real.
 */
class BenchSmokeTest {

    static Report smoke(Path dir, boolean root) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BenchCommand c = new BenchCommand(ScenarioRegistry.standard(), PodswitchSides.load(),
                ToolFinder.fromEnvironment(), ToolFinder.cniPlugins(), root, () -> MachineProbe.live().describe());
        int rc = c.execute(new String[]{"--smoke", "--out", dir.toString()}, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(BenchCommand.EXIT_OK, rc, err.toString(StandardCharsets.UTF_8));
        Report r = ReportJson.read(dir.resolve("report.json"));
        assertEquals(ScenarioRegistry.standard().all().stream().map(Scenario::name).toList(),
                r.scenarios().stream().map(s -> s.name()).toList());
        List<Measurement> failed = r.measurements().stream().filter(m -> m.status() == Status.FAILED).toList();
        assertEquals(List.of(), failed);
        assertTrue(r.settings().smoke());
        return r;
    }

    /** podswitch figures of the scenarios whose side is bound in this build (engine, switch path over TAP). */
    private static List<Measurement> boundPodswitchFigures(Report r, List<String> scenarios) {
        return r.measurements().stream().filter(Measurement::isPodswitch)
                .filter(m -> scenarios.contains(m.scenario()))
                .filter(m -> !"cross-node".equals(m.parameters().get("placement"))).toList();
    }

    @Test
    void everyScenarioRunsInSmokeModeWithoutRoot(@TempDir Path dir) throws Exception {
        Report r = smoke(dir, false);
        assertTrue(r.measurements().stream().anyMatch(m -> m.status() == Status.NEEDS_ROOT));
        List<Measurement> engine = boundPodswitchFigures(r, List.of("engine"));
        assertTrue(!engine.isEmpty() && engine.stream().allMatch(m -> m.status() == Status.OK), engine.toString());
    }

    @Test
    @Tag("privileged")
    void everyScenarioRunsInSmokeModeAsRoot(@TempDir Path dir) throws Exception {
        Report r = smoke(dir, RootCheck.isRoot());
        assertTrue(r.measurements().stream().noneMatch(m -> m.status() == Status.NEEDS_ROOT));
        List<Measurement> bound = boundPodswitchFigures(r, List.of("engine", "tap-forward", "pod-tcp", "latency", "cni", "service"));
        assertTrue(!bound.isEmpty() && bound.stream().noneMatch(m -> m.status() == Status.UNAVAILABLE), bound.toString());
    }
}
