package io.podswitch.perf.baseline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the figures of dpdk-test's {@code lpm_perf_autotest} / {@code lpm6_perf_autotest}, lines
 * such as {@code Average LPM Lookup: 19.4 cycles (fails = 12.5%)} or {@code LPM LookupX4: 23.5 cycles}.
 */
public final class LpmAutotestOutput {

    private static final Pattern CYCLES = Pattern.compile("(?m)^\\s*([A-Za-z0-9 ]+?):\\s*([0-9.eE+]+)\\s+cycles\\b");

    private LpmAutotestOutput() {
    }

    /** Label → cycles, in output order; labels become metric names like {@code average_lpm_lookup}. */
    public static Map<String, Double> cycles(String output) {
        Map<String, Double> figures = new LinkedHashMap<>();
        Matcher m = CYCLES.matcher(output);
        while (m.find()) {
            String metric = m.group(1).trim().toLowerCase().replaceAll("[^a-z0-9]+", "_");
            try {
                figures.putIfAbsent(metric, Double.parseDouble(m.group(2)));
            } catch (NumberFormatException e) {
                // not a figure (e.g. a bare "e"); leave it out rather than guess
            }
        }
        return figures;
    }
}
