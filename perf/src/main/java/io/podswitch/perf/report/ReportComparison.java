package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Diffs two reports measurement by measurement, matched by (scenario, subject, metric, parameters),
 * and flags regressions: a median that got worse by more than the threshold, in the metric's own
 * direction (lower throughput, higher latency). Figures present on one side only, or not measured on
 * one side, are listed but are not regressions.
 */
public final class ReportComparison {

    /** What happened to one measurement between the old and the new report. */
    public enum Verdict {
        REGRESSION, IMPROVEMENT, UNCHANGED, ONLY_IN_OLD, ONLY_IN_NEW, NOT_MEASURED
    }

    public record MatchKey(String scenario, String subject, String metric, SortedMap<String, String> parameters) {
        static MatchKey of(Measurement m) {
            return new MatchKey(m.scenario(), m.subject(), m.metric(), m.parameters());
        }
    }

    /**
     * @param change relative change of the median, oriented so that negative is worse
     *               (e.g. -0.08 = 8 % worse); NaN when not comparable
     */
    public record Row(MatchKey key, String unit, Measurement old, Measurement current, double change,
                      Verdict verdict) {
    }

    public record Result(List<Row> rows, double thresholdPercent, List<String> warnings) {
        public long regressions() {
            return rows.stream().filter(r -> r.verdict() == Verdict.REGRESSION).count();
        }
    }

    private ReportComparison() {
    }

    public static Result compare(Report old, Report current, double thresholdPercent) {
        if (!(thresholdPercent >= 0) || Double.isInfinite(thresholdPercent)) {
            throw new IllegalArgumentException("threshold must be a non-negative percentage, got " + thresholdPercent);
        }
        List<String> warnings = new ArrayList<>();
        MachineDescription a = old.machine();
        MachineDescription b = current.machine();
        if (!a.cpuModel().equals(b.cpuModel()) || a.logicalCores() != b.logicalCores()) {
            warnings.add("the reports come from different machines (" + a.cpuModel() + " ×" + a.logicalCores()
                    + " vs " + b.cpuModel() + " ×" + b.logicalCores() + "): differences are not only podswitch's");
        }
        if (old.settings().smoke() || current.settings().smoke()) {
            warnings.add("a smoke run is not a measurement: its figures are not meaningful");
        }
        Map<MatchKey, Measurement> oldByKey = index(old);
        Map<MatchKey, Measurement> newByKey = index(current);
        List<Row> rows = new ArrayList<>();
        double t = thresholdPercent / 100.0;
        for (var e : oldByKey.entrySet()) {
            Measurement o = e.getValue();
            Measurement n = newByKey.get(e.getKey());
            if (n == null) {
                rows.add(new Row(e.getKey(), o.unit(), o, null, Double.NaN, Verdict.ONLY_IN_OLD));
            } else if (o.status() != Status.OK || n.status() != Status.OK || !o.unit().equals(n.unit())) {
                rows.add(new Row(e.getKey(), n.unit(), o, n, Double.NaN, Verdict.NOT_MEASURED));
            } else {
                double change = orientedChange(o.summary().median(), n.summary().median(), n.direction());
                Verdict v = Double.isNaN(change) ? Verdict.NOT_MEASURED
                        : change < -t ? Verdict.REGRESSION : change > t ? Verdict.IMPROVEMENT : Verdict.UNCHANGED;
                rows.add(new Row(e.getKey(), n.unit(), o, n, change, v));
            }
        }
        for (var e : newByKey.entrySet()) {
            if (!oldByKey.containsKey(e.getKey())) {
                rows.add(new Row(e.getKey(), e.getValue().unit(), null, e.getValue(), Double.NaN, Verdict.ONLY_IN_NEW));
            }
        }
        return new Result(rows, thresholdPercent, warnings);
    }

    /** (new-old)/old for higher-is-better, (old-new)/old for lower-is-better; NaN if old is zero. */
    static double orientedChange(double old, double current, Direction direction) {
        if (old == 0.0) {
            return current == 0.0 ? 0.0 : Double.NaN;
        }
        double rel = (current - old) / Math.abs(old);
        return direction == Direction.HIGHER_IS_BETTER ? rel : -rel;
    }

    private static Map<MatchKey, Measurement> index(Report r) {
        Map<MatchKey, Measurement> map = new LinkedHashMap<>();
        for (Measurement m : r.measurements()) {
            map.putIfAbsent(MatchKey.of(m), m);
        }
        return map;
    }

    /** The comparison as a Markdown table, regressions first. */
    public static String table(Result result) {
        StringBuilder sb = new StringBuilder();
        for (String w : result.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        sb.append("| verdict | scenario | subject | metric | parameters | old | new | change |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        result.rows().stream().sorted((x, y) -> Integer.compare(x.verdict().ordinal(), y.verdict().ordinal()))
                .forEach(r -> sb.append("| ").append(r.verdict().name().toLowerCase().replace('_', ' ')).append(" | ")
                        .append(r.key().scenario()).append(" | ").append(r.key().subject()).append(" | ")
                        .append(r.key().metric()).append(" (").append(r.unit()).append(") | ")
                        .append(MarkdownReport.cell(params(r.key().parameters()))).append(" | ")
                        .append(side(r.old())).append(" | ").append(side(r.current())).append(" | ")
                        .append(Double.isNaN(r.change()) ? "—" : signed(r.change() * 100) + " %").append(" |\n"));
        sb.append('\n').append(result.regressions()).append(" regression(s) beyond ")
                .append(Figures.format(result.thresholdPercent())).append(" % (change is oriented: negative = worse)\n");
        return sb.toString();
    }

    private static String side(Measurement m) {
        if (m == null) {
            return "—";
        }
        return m.status() == Status.OK ? Figures.summary(m.summary()) : m.status().jsonName();
    }

    private static String params(SortedMap<String, String> p) {
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + Figures.format(v);
    }
}
