package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.BenchSettings;
import io.podswitch.perf.bench.Progress;
import io.podswitch.perf.bench.RootCheck;
import io.podswitch.perf.bench.Scenario;
import io.podswitch.perf.bench.ScenarioContext;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.MissingTool;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs one scenario in smoke settings with chosen sides and tools. */
final class ScenarioHarness {

    final List<MissingTool> missing = new ArrayList<>();

    List<Measurement> run(Scenario scenario, PodswitchSides sides, ToolFinder tools, List<Integer> cores)
            throws Exception {
        return run(scenario, sides, tools, cores, RootCheck.isRoot());
    }

    /** As above, as if (not) root: {@code false} runs only what needs no root, also when the tests run as root. */
    List<Measurement> run(Scenario scenario, PodswitchSides sides, ToolFinder tools, List<Integer> cores, boolean root)
            throws Exception {
        BenchSettings s = new BenchSettings(List.of(), Duration.ofMillis(200), Duration.ZERO, 1, cores, List.of(64),
                Path.of("unused"), true, 1);
        ScenarioContext ctx = new ScenarioContext(scenario.name(), s, sides, tools, ToolFinder.cniPlugins(),
                root, new Progress(new PrintStream(OutputStream.nullOutputStream()), System::nanoTime),
                missing);
        return scenario.run(ctx);
    }
}
