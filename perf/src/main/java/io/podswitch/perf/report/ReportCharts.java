package io.podswitch.perf.report;

import io.podswitch.perf.stats.Summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Chooses and draws the charts of a report from the parameters of its measurements:
 * <ul>
 *   <li>{@code packet_size} → throughput vs packet size (lines, one per subject),</li>
 *   <li>{@code percentile} → latency percentile distribution (log x: p50..p99.99),</li>
 *   <li>{@code workers} → scaling vs workers (grouped bars).</li>
 * </ul>
 * Only {@link Status#OK} figures are drawn; a generator-bound figure is not the switch's capacity.
 */
public final class ReportCharts {

    public static final String PACKET_SIZE = "packet_size";
    public static final String PERCENTILE = "percentile";
    public static final String WORKERS = "workers";

    private ReportCharts() {
    }

    /** File name (without directory) → SVG text, in a stable order. */
    public static SortedMap<String, String> render(Report report) {
        SortedMap<String, String> charts = new TreeMap<>();
        for (var e : group(report, PACKET_SIZE).entrySet()) {
            List<ChartSeries> series = e.getValue().series;
            TreeSet<Double> sizes = new TreeSet<>();
            series.forEach(s -> s.points().forEach(p -> sizes.add(p.x())));
            charts.put("throughput-" + e.getKey() + ".svg", LineChart.render(
                    e.getValue().title + " vs packet size", "packet size (bytes, log scale)", e.getValue().unit,
                    series, new ArrayList<>(sizes), v -> String.valueOf((long) v), false));
        }
        for (var e : group(report, PERCENTILE).entrySet()) {
            List<Double> ticks = new ArrayList<>();
            TreeSet<Double> xs = new TreeSet<>();
            e.getValue().series.forEach(s -> s.points().forEach(p -> xs.add(p.x())));
            ticks.addAll(xs);
            charts.put("latency-" + e.getKey() + ".svg", LineChart.render(
                    e.getValue().title + " percentile distribution", "percentile (log scale of 1/(1-p))",
                    e.getValue().unit, e.getValue().series, ticks, ReportCharts::percentileLabel, true));
        }
        for (var e : group(report, WORKERS).entrySet()) {
            charts.put("scaling-" + e.getKey() + ".svg", BarChart.render(e.getValue().title + " vs workers",
                    "workers", e.getValue().unit, e.getValue().series));
        }
        return charts;
    }

    /** The x position of percentile p on the chart: 1/(1-p), so each extra "9" is one decade. */
    public static double percentileX(double percentile) {
        return 1.0 / (1.0 - percentile / 100.0);
    }

    static String percentileLabel(double x) {
        double p = 100.0 * (1.0 - 1.0 / x);
        String s = String.format(Locale.ROOT, "%.4f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
        return "p" + s;
    }

    private record Chart(String title, String unit, List<ChartSeries> series) {
    }

    /** Chart id "scenario-metric" → its series, for measurements that carry the axis parameter. */
    private static Map<String, Chart> group(Report report, String axisParameter) {
        Map<String, Map<String, List<ChartSeries.Point>>> points = new TreeMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (Measurement m : report.measurements()) {
            String raw = m.parameters().get(axisParameter);
            if (m.status() != Status.OK || raw == null) {
                continue;
            }
            if (axisParameter.equals(PACKET_SIZE) && m.parameters().containsKey(WORKERS)) {
                continue; // a scaling figure at one packet size: it belongs to the workers chart
            }
            double x;
            try {
                x = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                continue; // a non-numeric axis value cannot be placed; the table still shows it
            }
            if (axisParameter.equals(PERCENTILE)) {
                if (!(x >= 0 && x < 100)) {
                    continue;
                }
                x = percentileX(x);
            }
            String id = safe(m.scenario() + "-" + m.metric());
            units.putIfAbsent(id, m.scenario() + " " + m.metric() + "|" + m.unit());
            SortedMap<String, String> others = new TreeMap<>(m.parameters());
            others.remove(axisParameter);
            String seriesName = m.subject() + (others.isEmpty() ? "" : " " + others.values());
            Summary s = m.summary();
            points.computeIfAbsent(id, k -> new TreeMap<>()).computeIfAbsent(seriesName, k -> new ArrayList<>())
                    .add(new ChartSeries.Point(x, s.median(), s.min(), s.max()));
        }
        Map<String, Chart> charts = new TreeMap<>();
        for (var e : points.entrySet()) {
            List<ChartSeries> series = new ArrayList<>();
            // podswitch first so it always gets the first colour
            e.getValue().entrySet().stream()
                    .sorted((a, b) -> Boolean.compare(!a.getKey().startsWith(Measurement.PODSWITCH),
                            !b.getKey().startsWith(Measurement.PODSWITCH)))
                    .forEach(s -> {
                        List<ChartSeries.Point> ps = new ArrayList<>(s.getValue());
                        ps.sort((a, b) -> Double.compare(a.x(), b.x()));
                        series.add(new ChartSeries(s.getKey(), ps));
                    });
            String[] titleUnit = units.get(e.getKey()).split("\\|", 2);
            charts.put(e.getKey(), new Chart(titleUnit[0], titleUnit[1], series));
        }
        return charts;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
