package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Grouped bars: one group per x value (e.g. worker count), one bar per series, min–max whiskers. */
public final class BarChart {

    private BarChart() {
    }

    public static String render(String title, String xLabel, String yLabel, List<ChartSeries> series) {
        ChartFrame f = new ChartFrame(title, xLabel, yLabel);
        TreeSet<Double> groups = new TreeSet<>();
        double yMax = 0;
        for (ChartSeries s : series) {
            for (ChartSeries.Point p : s.points()) {
                groups.add(p.x());
                yMax = Math.max(yMax, p.max());
            }
        }
        if (groups.isEmpty()) {
            f.noData("no measured values");
            return f.svg.toXml();
        }
        Axis y = Axis.linearFromZero(yMax, f.bottom, f.top);
        f.yGrid(y);
        List<Double> xs = new ArrayList<>(groups);
        double groupWidth = (f.right - f.left) / xs.size();
        double barWidth = groupWidth * 0.8 / Math.max(1, series.size());
        for (int g = 0; g < xs.size(); g++) {
            double groupLeft = f.left + g * groupWidth + groupWidth * 0.1;
            f.xTick(f.left + (g + 0.5) * groupWidth, Axis.label(xs.get(g)));
            for (int i = 0; i < series.size(); i++) {
                for (ChartSeries.Point p : series.get(i).points()) {
                    if (p.x() != xs.get(g)) {
                        continue;
                    }
                    double bx = groupLeft + i * barWidth;
                    double top = y.toPixel(p.median());
                    f.svg.rect(bx, top, barWidth - 2, f.bottom - top, ChartFrame.color(i), "none");
                    double cx = bx + (barWidth - 2) / 2;
                    f.svg.line(cx, y.toPixel(p.min()), cx, y.toPixel(p.max()), "#222", 1, false);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (ChartSeries s : series) {
            names.add(s.name());
        }
        f.legend(names);
        return f.svg.toXml();
    }
}
