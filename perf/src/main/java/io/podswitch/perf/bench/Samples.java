package io.podswitch.perf.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The values of every metric of a step, one per measured repetition, in repetition order. */
public final class Samples {

    private final Map<String, double[]> values = new LinkedHashMap<>();

    Samples(List<Map<String, Double>> repetitions) {
        int n = repetitions.size();
        for (int r = 0; r < n; r++) {
            for (var e : repetitions.get(r).entrySet()) {
                values.computeIfAbsent(e.getKey(), k -> new double[n])[r] = e.getValue();
            }
        }
        for (var e : values.entrySet()) {
            for (Map<String, Double> rep : repetitions) {
                if (!rep.containsKey(e.getKey())) {
                    throw new IllegalStateException("metric '" + e.getKey() + "' missing from a repetition");
                }
            }
        }
    }

    /** The values of a metric; an unknown metric is a programming error in the scenario. */
    public double[] get(String metric) {
        double[] v = values.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + metric + "' in this step (has " + values.keySet() + ")");
        }
        return v.clone();
    }

    public boolean has(String metric) {
        return values.containsKey(metric);
    }
}
