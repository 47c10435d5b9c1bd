package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.jvm.SubjectJvmLog;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Direction;
import io.podswitch.perf.report.MachineDescription;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.MissingTool;
import io.podswitch.perf.report.Report;
import io.podswitch.perf.report.RunSettings;
import io.podswitch.perf.report.ScenarioInfo;
import io.podswitch.perf.report.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the chosen scenarios one after the other and assembles the report. A scenario that throws
 * becomes one failed measurement with the reason; the other scenarios still run.
 */
public final class BenchRunner {

    private final PodswitchSides sides;
    private final ToolFinder tools;
    private final ToolFinder cniPlugins;
    private final boolean root;
    private final Progress progress;
    private final MachineDescription machine;

    public BenchRunner(PodswitchSides sides, ToolFinder tools, ToolFinder cniPlugins, boolean root, Progress progress,
                       MachineDescription machine) {
        this.sides = sides;
        this.tools = tools;
        this.cniPlugins = cniPlugins;
        this.root = root;
        this.progress = progress;
        this.machine = machine;
    }

    public Report run(BenchSettings settings, List<Scenario> scenarios) {
        int steps = scenarios.stream().mapToInt(s -> s.plannedSteps(settings)).sum();
        progress.plan(steps, settings.stepDuration(), settings.duration());
        List<MissingTool> missing = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        List<ScenarioInfo> infos = new ArrayList<>();
        SubjectJvmLog.drain(); // nothing of an earlier run in this JVM (tests) belongs to this one
        for (Scenario scenario : scenarios) {
            long start = progress.nanoTime();
            ScenarioContext context = new ScenarioContext(scenario.name(), settings, sides, tools, cniPlugins, root,
                    progress, missing);
            try {
                measurements.addAll(scenario.run(context));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                measurements.add(failure(scenario, "interrupted"));
                break;
            } catch (Exception | LinkageError e) {
                progress.message("    " + scenario.name() + " failed: " + e);
                measurements.add(failure(scenario, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            infos.add(new ScenarioInfo(scenario.name(), scenario.description(),
                    (progress.nanoTime() - start) / 1e9, SubjectJvmLog.drain()));
        }
        RunSettings runSettings = new RunSettings(settings.duration().toNanos() / 1e9,
                settings.warmup().toNanos() / 1e9, settings.repeat(), settings.cores(), settings.packetSizes(),
                settings.smoke(), settings.seed());
        return new Report(Report.SCHEMA_VERSION, machine, runSettings, infos, missing, measurements);
    }

    private static Measurement failure(Scenario scenario, String reason) {
        return Measurement.notMeasured(scenario.name(), Measurement.PODSWITCH, "scenario", "-",
                Direction.HIGHER_IS_BETTER, Map.of(), Status.FAILED, reason);
    }
}
