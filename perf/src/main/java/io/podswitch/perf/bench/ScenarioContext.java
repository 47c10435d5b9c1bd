package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.MissingTool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** What a running scenario gets from the harness: settings, tools, sides, root, seeds and measuring. */
public final class ScenarioContext {

    private final String scenario;
    private final BenchSettings settings;
    private final PodswitchSides sides;
    private final ToolFinder tools;
    private final ToolFinder cniPlugins;
    private final boolean root;
    private final Progress progress;
    private final List<MissingTool> missingTools;

    public ScenarioContext(String scenario, BenchSettings settings, PodswitchSides sides, ToolFinder tools,
                           ToolFinder cniPlugins, boolean root, Progress progress, List<MissingTool> missingTools) {
        this.cniPlugins = cniPlugins;
        this.scenario = scenario;
        this.settings = settings;
        this.sides = sides;
        this.tools = tools;
        this.root = root;
        this.progress = progress;
        this.missingTools = missingTools;
    }

    public String scenario() {
        return scenario;
    }

    public BenchSettings settings() {
        return settings;
    }

    public boolean smoke() {
        return settings.smoke();
    }

    public PodswitchSides sides() {
        return sides;
    }

    public boolean isRoot() {
        return root;
    }

    /** A generator seeded from the run seed and the scenario name: same settings, same choices. */
    public SplittableRandom random() {
        return new SplittableRandom(settings.seed() ^ (long) scenario.hashCode() * 0x9E3779B97F4A7C15L);
    }

    /** Finds a tool; when missing, it is recorded for the report's missing-tools list. */
    public Optional<Path> tool(String name, String installHint) {
        return recordIfMissing(name, installHint, tools.find(name));
    }

    /** Finds a CNI plugin (CNI_PATH, /opt/cni/bin, /usr/lib/cni); when missing, it is recorded. */
    public Optional<Path> cniPlugin(String name, String installHint) {
        return recordIfMissing("CNI plugin " + name, installHint, cniPlugins.find(name));
    }

    private Optional<Path> recordIfMissing(String name, String installHint, Optional<Path> found) {
        if (found.isEmpty()) {
            MissingTool missing = new MissingTool(name, scenario, installHint);
            synchronized (missingTools) {
                if (!missingTools.contains(missing)) {
                    missingTools.add(missing);
                }
            }
        }
        return found;
    }

    /** A progress note on stderr. */
    public void note(String text) {
        progress.message("    " + scenario + ": " + text);
    }

    /**
     * Runs one step: a warm-up trial whose values are discarded (when warm-up is configured), then
     * {@code repeat} measured trials of {@code duration}. Progress goes to stderr.
     */
    public Samples measure(String label, Trial trial) throws Exception {
        return measure(label, trial, true);
    }

    /**
     * As {@link #measure(String, Trial)}; {@code warmUp=false} skips the warm-up for tools that warm
     * up themselves and take minutes per run (DPDK's LPM autotests).
     */
    public Samples measure(String label, Trial trial, boolean warmUp) throws Exception {
        progress.startStep();
        String full = scenario + " " + label;
        if (warmUp && !settings.warmup().isZero()) {
            progress.repetition(full, "warm-up", 0, 0);
            trial.run(settings.warmup());
        }
        List<Map<String, Double>> reps = new ArrayList<>();
        for (int r = 1; r <= settings.repeat(); r++) {
            progress.repetition(full, "rep", r, settings.repeat());
            reps.add(trial.run(settings.duration()));
        }
        return new Samples(reps);
    }

    /** Length of one repetition. */
    public Duration duration() {
        return settings.duration();
    }
}
