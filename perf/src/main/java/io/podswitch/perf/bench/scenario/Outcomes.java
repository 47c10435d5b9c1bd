package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.bench.Samples;
import io.podswitch.perf.report.Direction;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the measurements of one subject in one scenario: figures from samples, or the same set of
 * metrics marked with why they could not be measured (so a table row never silently disappears).
 */
final class Outcomes {

    /** A metric a scenario reports: name, unit and direction. */
    record Metric(String name, String unit, Direction direction) {
        static Metric higher(String name, String unit) {
            return new Metric(name, unit, Direction.HIGHER_IS_BETTER);
        }

        static Metric lower(String name, String unit) {
            return new Metric(name, unit, Direction.LOWER_IS_BETTER);
        }
    }

    private final String scenario;
    private final String subject;

    String subject() {
        return subject;
    }

    Outcomes(String scenario, String subject) {
        this.scenario = scenario;
        this.subject = subject;
    }

    Measurement ok(Metric metric, Map<String, String> params, double[] values, String note) {
        return Measurement.ok(scenario, subject, metric.name(), metric.unit(), metric.direction(), params, values, note);
    }

    Measurement ok(Metric metric, Map<String, String> params, Samples samples, String note) {
        return ok(metric, params, samples.get(metric.name()), note);
    }

    Measurement not(Metric metric, Map<String, String> params, Status status, String reason) {
        return Measurement.notMeasured(scenario, subject, metric.name(), metric.unit(), metric.direction(), params,
                status, reason);
    }

    List<Measurement> not(List<Metric> metrics, Map<String, String> params, Status status, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (Metric m : metrics) {
            out.add(not(m, params, status, reason));
        }
        return out;
    }

    /** Ordered parameters from key/value pairs. */
    static Map<String, String> params(String... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in key/value pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Why an exception stopped a side, in one line. */
    static String reason(Exception e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.strip().replace('\n', ' '));
    }
}
