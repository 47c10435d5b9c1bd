package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * report.md: the machine, the settings, missing tools, then one table per scenario where every
 * podswitch figure stands next to each of its baselines with the ratio (above 1 = podswitch better).
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(Report report, Collection<String> chartFiles) {
        StringBuilder md = new StringBuilder();
        MachineDescription m = report.machine();
        md.append("# podswitch bench report\n\n");
        md.append("| machine | |\n|---|---|\n");
        row(md, "date", m.date());
        row(md, "host", m.hostname());
        row(md, "CPU", m.cpuModel() + " (" + m.logicalCores() + " logical cores, " + m.cpuFrequency() + ")");
        row(md, "governor", m.governor());
        row(md, "kernel", m.kernel());
        row(md, "JDK", m.jdk());
        row(md, "JVM flags", m.jvmFlags().isEmpty() ? "(none)" : String.join(" ", m.jvmFlags()));
        row(md, "podswitch commit", m.gitCommit());
        RunSettings s = report.settings();
        md.append("\nSettings: ").append(s.smoke() ? "**smoke run (not a measurement)**, " : "")
                .append(s.repeat()).append(" repetitions of ").append(Figures.format(s.durationSeconds()))
                .append(" s after ").append(Figures.format(s.warmupSeconds())).append(" s warm-up (excluded), cores ")
                .append(s.cores()).append(", packet sizes ").append(s.packetSizes()).append(", seed ")
                .append(s.seed()).append(". Figures are median [min–max] over the repetitions; ratio > 1 means "
                        + "podswitch is better than the baseline.\n\n");
        if (!report.missingTools().isEmpty()) {
            md.append("## Missing baseline tools\n\n| tool | needed by | install |\n|---|---|---|\n");
            for (MissingTool t : report.missingTools()) {
                md.append("| ").append(cell(t.tool())).append(" | ").append(cell(t.neededBy())).append(" | ")
                        .append(cell(t.installHint())).append(" |\n");
            }
            md.append('\n');
        }
        for (ScenarioInfo info : report.scenarios()) {
            md.append("## ").append(info.name()).append("\n\n").append(info.description()).append(" (")
                    .append(Figures.format(info.elapsedSeconds())).append(" s)\n\n");
            md.append(table(report.measurements().stream().filter(x -> x.scenario().equals(info.name())).toList()));
            md.append('\n');
            md.append(subjects(info.subjects()));
        }
        if (!chartFiles.isEmpty()) {
            md.append("## Charts\n\n");
            for (String file : chartFiles) {
                md.append("![").append(file).append("](charts/").append(file).append(")\n\n");
            }
        }
        return md.toString();
    }

    /** The figures of one scenario, podswitch paired with each baseline of the same key. */
    static String table(List<Measurement> measurements) {
        StringBuilder md = new StringBuilder();
        md.append("| metric | parameters | podswitch | baseline | baseline figure | ratio |\n");
        md.append("|---|---|---|---|---|---|\n");
        Map<Measurement.Key, List<Measurement>> byKey = new LinkedHashMap<>();
        for (Measurement x : measurements) {
            byKey.computeIfAbsent(x.key(), k -> new ArrayList<>()).add(x);
        }
        for (var e : byKey.entrySet()) {
            Measurement podswitch = null;
            List<Measurement> baselines = new ArrayList<>();
            for (Measurement x : e.getValue()) {
                if (x.isPodswitch()) {
                    podswitch = x;
                } else {
                    baselines.add(x);
                }
            }
            Measurement any = e.getValue().getFirst();
            String metric = cell(any.metric() + " (" + any.unit() + ", " + any.direction().jsonName() + " is better)");
            String params = cell(any.parameterText());
            String ps = podswitch == null ? "—" : figure(podswitch);
            if (baselines.isEmpty()) {
                md.append("| ").append(metric).append(" | ").append(params).append(" | ").append(ps)
                        .append(" | — | — | — |\n");
            }
            for (Measurement b : baselines) {
                String ratio = "—";
                if (podswitch != null && podswitch.status() == Status.OK && b.status() == Status.OK) {
                    double r = Figures.ratio(podswitch.summary().median(), b.summary().median(), any.direction());
                    ratio = Double.isNaN(r) ? "n/a (zero median)" : Figures.format(r) + "×";
                }
                md.append("| ").append(metric).append(" | ").append(params).append(" | ").append(ps).append(" | ")
                        .append(cell(b.subject())).append(" | ").append(figure(b)).append(" | ").append(ratio)
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    /** The number, or for anything not OK the status and reason in words, never a number. */
    static String figure(Measurement x) {
        return switch (x.status()) {
            case OK -> Figures.summary(x.summary()) + (x.note().isEmpty() ? "" : " (" + cell(x.note()) + ")");
            case GENERATOR_BOUND -> "generator-bound: not reported as switch capacity (" + cell(x.note()) + ")";
            case UNAVAILABLE -> "unavailable in this build: " + cell(x.note());
            case MISSING_TOOL -> "missing tool: " + cell(x.note());
            case NEEDS_ROOT -> "needs root: " + cell(x.note());
            case FAILED -> "failed: " + cell(x.note());
            case SKIPPED -> "skipped: " + cell(x.note());
        };
    }

    /** Which JVM each Java subject ran in, and whether it ran as shipped. */
    static String subjects(List<SubjectJvm> jvms) {
        if (jvms.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("| subject | JVM | compilers | flags | as shipped |\n|---|---|---|---|---|\n");
        for (SubjectJvm j : jvms) {
            md.append("| ").append(cell(j.subject())).append(" | ").append(cell(j.process())).append(" | ")
                    .append(cell(j.compilers())).append(" | `").append(cell(String.join(" ", j.jvmFlags())))
                    .append("` | ").append(j.missingShippedFlags().isEmpty() ? "yes"
                            : cell("without " + String.join(" ", j.missingShippedFlags()))).append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n");
    }

    /** Table cells may not contain pipes or line breaks. */
    static String cell(String s) {
        return s.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }
}
