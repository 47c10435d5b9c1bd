package io.podswitch.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Writes a report directory: report.json, report.md and charts/*.svg. */
public final class ReportWriter {

    private ReportWriter() {
    }

    /** Returns the files written. */
    public static List<Path> write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        List<Path> written = new ArrayList<>();
        SortedMap<String, String> charts = ReportCharts.render(report);
        for (Map.Entry<String, String> e : charts.entrySet()) {
            Path file = dir.resolve("charts").resolve(e.getKey());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            written.add(file);
        }
        Path json = dir.resolve("report.json");
        ReportJson.write(report, json);
        written.add(json);
        Path md = dir.resolve("report.md");
        Files.writeString(md, MarkdownReport.render(report, charts.keySet()), StandardCharsets.UTF_8);
        written.add(md);
        return written;
    }
}
