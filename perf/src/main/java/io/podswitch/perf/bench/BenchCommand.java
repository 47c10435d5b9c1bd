package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.MachineDescription;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Report;
import io.podswitch.perf.report.ReportComparison;
import io.podswitch.perf.report.ReportJson;
import io.podswitch.perf.report.ReportWriter;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.BenchShutdown;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code podswitch bench}: runs scenarios and writes a report, lists scenarios, or compares two
 * reports. Exit codes: 0 ok, 1 run or I/O failure, 2 usage error, 3 compare found regressions.
 */
public final class BenchCommand {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_REGRESSIONS = 3;

    private final ScenarioRegistry registry;
    private final PodswitchSides sides;
    private final ToolFinder tools;
    private final ToolFinder cniPlugins;
    private final boolean root;
    private final Supplier<MachineDescription> machine;

    public BenchCommand(ScenarioRegistry registry, PodswitchSides sides, ToolFinder tools, ToolFinder cniPlugins,
                        boolean root, Supplier<MachineDescription> machine) {
        this.registry = registry;
        this.sides = sides;
        this.tools = tools;
        this.cniPlugins = cniPlugins;
        this.root = root;
        this.machine = machine;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        BenchShutdown.install(); // SIGTERM / Ctrl-C: stop what the scenarios started, delete what they built
        BenchCommand command = new BenchCommand(ScenarioRegistry.standard(), PodswitchSides.load(),
                ToolFinder.fromEnvironment(), ToolFinder.cniPlugins(), RootCheck.isRoot(), () -> MachineProbe.live().describe());
        return command.execute(args, out, err);
    }

    public int execute(String[] args, PrintStream out, PrintStream err) {
        BenchInvocation invocation;
        try {
            invocation = BenchArguments.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (UsageException e) {
            err.println("bench: " + e.getMessage());
            err.print(BenchArguments.USAGE);
            return EXIT_USAGE;
        }
        return switch (invocation) {
            case BenchInvocation.Help h -> {
                out.print(BenchArguments.USAGE);
                yield EXIT_OK;
            }
            case BenchInvocation.ListScenarios l -> list(out);
            case BenchInvocation.Compare c -> compare(c, out, err);
            case BenchInvocation.Run r -> runScenarios(r.settings(), out, err);
        };
    }

    private int list(PrintStream out) {
        for (Scenario s : registry.all()) {
            out.printf("%-14s %s (%s)%n", s.name(), s.description(), s.requirements().describe());
        }
        return EXIT_OK;
    }

    private int compare(BenchInvocation.Compare c, PrintStream out, PrintStream err) {
        Report old;
        Report current;
        try {
            old = ReportJson.read(c.oldReport());
            current = ReportJson.read(c.newReport());
        } catch (IOException e) {
            err.println("bench compare: cannot read report: " + e.getMessage());
            return EXIT_FAILURE;
        }
        ReportComparison.Result result = ReportComparison.compare(old, current, c.thresholdPercent());
        out.print(ReportComparison.table(result));
        return result.regressions() > 0 ? EXIT_REGRESSIONS : EXIT_OK;
    }

    private int runScenarios(BenchSettings settings, PrintStream out, PrintStream err) {
        List<Scenario> scenarios;
        try {
            scenarios = registry.select(settings.scenarios());
        } catch (UsageException e) {
            err.println("bench: " + e.getMessage());
            return EXIT_USAGE;
        }
        Path dir = settings.outDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            err.println("bench: cannot create output directory " + dir + ": " + e);
            return EXIT_FAILURE;
        }
        BenchRunner runner = new BenchRunner(sides, tools, cniPlugins, root, new Progress(err, System::nanoTime), machine.get());
        Report report = runner.run(settings, scenarios);
        try {
            ReportWriter.write(report, dir);
        } catch (IOException e) {
            err.println("bench: cannot write the report to " + dir + ": " + e);
            return EXIT_FAILURE;
        }
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Measurement m : report.measurements()) {
            counts.merge(m.status(), 1, Integer::sum);
        }
        out.println("bench: " + report.measurements().size() + " measurements " + counts + " in "
                + dir.toAbsolutePath());
        report.missingTools().forEach(t -> out.println("bench: missing tool " + t.tool() + " (needed by "
                + t.neededBy() + "; install: " + t.installHint() + ")"));
        if (settings.smoke()) {
            out.println("bench: smoke run — the figures are not measurements");
        }
        return EXIT_OK;
    }
}
