package io.podswitch.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Lines of medians with min–max whiskers over a log x axis: throughput vs packet size and the
 * latency percentile distribution (x = 1/(1-p), so p50, p90, p99, p99.9, p99.99 are equally spaced).
 */
public final class LineChart {

    private LineChart() {
    }

    /**
     * @param xTicks    x values to label (on the log axis)
     * @param tickLabel how to label an x tick
     * @param logY      log y axis (latency tails) instead of linear from zero
     */
    public static String render(String title, String xLabel, String yLabel, List<ChartSeries> series,
                                List<Double> xTicks, DoubleFunction<String> tickLabel, boolean logY) {
        ChartFrame f = new ChartFrame(title, xLabel, yLabel);
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (ChartSeries s : series) {
            for (ChartSeries.Point p : s.points()) {
                xMin = Math.min(xMin, p.x());
                xMax = Math.max(xMax, p.x());
                yMin = Math.min(yMin, p.min());
                yMax = Math.max(yMax, p.max());
            }
        }
        for (double t : xTicks) {
            xMin = Math.min(xMin, t);
            xMax = Math.max(xMax, t);
        }
        if (yMax == -Double.MAX_VALUE || xMin <= 0) {
            f.noData("no measured values");
            return f.svg.toXml();
        }
        if (xMax <= xMin) {
            xMax = xMin * 10;
        }
        double pad = Math.pow(xMax / xMin, 0.05);
        Axis x = new Axis(xMin / pad, xMax * pad, true, f.left, f.right);
        Axis y;
        if (logY && yMin > 0) {
            double lo = Math.pow(10, Math.floor(Math.log10(yMin)));
            double hi = Math.pow(10, Math.ceil(Math.log10(yMax)));
            y = new Axis(lo, hi > lo ? hi : lo * 10, true, f.bottom, f.top);
        } else {
            y = Axis.linearFromZero(yMax, f.bottom, f.top);
        }
        f.yGrid(y);
        for (double t : xTicks) {
            f.xTick(x.toPixel(t), tickLabel.apply(t));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            ChartSeries s = series.get(i);
            names.add(s.name());
            String color = ChartFrame.color(i);
            double[] xs = new double[s.points().size()];
            double[] ys = new double[xs.length];
            for (int j = 0; j < xs.length; j++) {
                ChartSeries.Point p = s.points().get(j);
                xs[j] = x.toPixel(p.x());
                ys[j] = y.toPixel(p.median());
                f.svg.line(xs[j], y.toPixel(p.min()), xs[j], y.toPixel(p.max()), color, 1, false);
                f.svg.circle(xs[j], ys[j], 3.5, color);
            }
            if (xs.length > 1) {
                f.svg.polyline(xs, ys, color, 2);
            }
        }
        f.legend(names);
        return f.svg.toXml();
    }
}
