package io.podswitch.perf.report;

import java.util.List;

/**
 * The parts every chart shares: canvas size, plot area, title, axis labels, grid and legend. Chart
 * classes draw their data inside {@link #left}..{@link #right} × {@link #top}..{@link #bottom}.
 */
final class ChartFrame {

    static final int WIDTH = 760;
    static final int HEIGHT = 440;
    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f"};

    final double left = 80;
    final double right = WIDTH - 200;
    final double top = 50;
    final double bottom = HEIGHT - 60;
    final Svg svg = new Svg(WIDTH, HEIGHT);

    ChartFrame(String title, String xLabel, String yLabel) {
        svg.text(WIDTH / 2.0, 28, title, 16, "middle", true, 0);
        svg.text((left + right) / 2, HEIGHT - 18, xLabel, 13, "middle", false, 0);
        svg.text(22, (top + bottom) / 2, yLabel, 13, "middle", false, -90);
        svg.rect(left, top, right - left, bottom - top, "none", "#888");
    }

    static String color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    void yGrid(Axis y) {
        for (double t : y.ticks()) {
            double py = y.toPixel(t);
            svg.line(left, py, right, py, "#ddd", 1, false);
            svg.text(left - 6, py + 4, Axis.label(t), 11, "end", false, 0);
        }
    }

    void xTick(double px, String label) {
        svg.line(px, bottom, px, bottom + 5, "#888", 1, false);
        svg.text(px, bottom + 18, label, 11, "middle", false, 0);
    }

    void legend(List<String> names) {
        double y = top + 10;
        for (int i = 0; i < names.size(); i++) {
            svg.rect(right + 16, y - 9, 12, 12, color(i), color(i));
            String name = names.get(i);
            svg.text(right + 34, y + 1, name.length() > 26 ? name.substring(0, 25) + "…" : name, 12, "start", false, 0);
            y += 20;
        }
    }

    /** Drawn instead of data when there is nothing to show, so an empty chart says why. */
    void noData(String why) {
        svg.text((left + right) / 2, (top + bottom) / 2, why, 14, "middle", false, 0);
    }
}
