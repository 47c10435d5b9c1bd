package io.podswitch.perf.report;

import java.util.Locale;

/**
 * A minimal SVG document writer: the handful of elements the charts need, with every attribute and
 * text escaped so that scenario names can never break the XML.
 */
public final class Svg {

    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;

    public Svg(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public Svg rect(double x, double y, double w, double h, String fill, String stroke) {
        body.append("  <rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                .append("\" height=\"").append(n(h)).append("\" fill=\"").append(escape(fill)).append("\" stroke=\"")
                .append(escape(stroke)).append("\"/>\n");
        return this;
    }

    public Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth, boolean dashed) {
        body.append("  <line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(escape(stroke))
                .append("\" stroke-width=\"").append(n(strokeWidth)).append('"')
                .append(dashed ? " stroke-dasharray=\"4 3\"" : "").append("/>\n");
        return this;
    }

    public Svg polyline(double[] xs, double[] ys, String stroke, double strokeWidth) {
        body.append("  <polyline fill=\"none\" stroke=\"").append(escape(stroke)).append("\" stroke-width=\"")
                .append(n(strokeWidth)).append("\" points=\"");
        for (int i = 0; i < xs.length; i++) {
            body.append(i == 0 ? "" : " ").append(n(xs[i])).append(',').append(n(ys[i]));
        }
        body.append("\"/>\n");
        return this;
    }

    public Svg circle(double cx, double cy, double r, String fill) {
        body.append("  <circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
                .append("\" fill=\"").append(escape(fill)).append("\"/>\n");
        return this;
    }

    /** Text; {@code anchor} is start, middle or end; {@code rotate} turns it about its anchor point. */
    public Svg text(double x, double y, String text, int size, String anchor, boolean bold, double rotate) {
        body.append("  <text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-family=\"sans-serif\"")
                .append(" font-size=\"").append(size).append("\" text-anchor=\"").append(escape(anchor)).append('"')
                .append(bold ? " font-weight=\"bold\"" : "");
        if (rotate != 0.0) {
            body.append(" transform=\"rotate(").append(n(rotate)).append(' ').append(n(x)).append(' ').append(n(y))
                    .append(")\"");
        }
        body.append(" fill=\"#222\">").append(escape(text)).append("</text>\n");
        return this;
    }

    public String toXml() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\">\n"
                + "  <rect x=\"0\" y=\"0\" width=\"" + width + "\" height=\"" + height + "\" fill=\"white\"/>\n"
                + body + "</svg>\n";
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    // XML 1.0 forbids most control characters even escaped; drop them.
                    if (c >= 0x20 || c == '\t' || c == '\n') {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
