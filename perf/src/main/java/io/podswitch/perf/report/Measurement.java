package io.podswitch.perf.report;

import io.podswitch.perf.stats.Summary;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One metric of one subject under one set of parameters, with its value per repetition.
 *
 * <p>{@code subject} is {@value #PODSWITCH} or the name of a baseline ({@code kernel-forward},
 * {@code linux-bridge}, {@code dpdk-testpmd}, ...). A podswitch figure and its baselines share
 * scenario, metric and parameters; that triple is the {@link Key} the report pairs them by, and
 * (with the subject) the key compare matches two reports by.
 *
 * @param values one value per measured repetition (warm-up excluded); empty unless measured
 * @param note   why a measurement is not {@link Status#OK}, or a remark on how it was taken
 */
public record Measurement(String scenario, String subject, String metric, String unit, Direction direction,
                          SortedMap<String, String> parameters, Status status, double[] values, String note) {

    public static final String PODSWITCH = "podswitch";

    public Measurement {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(status, "status");
        parameters = Collections.unmodifiableSortedMap(new TreeMap<>(parameters));
        values = values.clone();
        note = note == null ? "" : note;
        if (status == Status.OK && values.length == 0) {
            throw new IllegalArgumentException("an ok measurement needs values: " + scenario + "/" + metric);
        }
    }

    /** A measured figure. */
    public static Measurement ok(String scenario, String subject, String metric, String unit, Direction direction,
                                 Map<String, String> parameters, double[] values, String note) {
        return new Measurement(scenario, subject, metric, unit, direction, new TreeMap<>(parameters), Status.OK,
                values, note);
    }

    /** A figure that could not be taken, with the reason. */
    public static Measurement notMeasured(String scenario, String subject, String metric, String unit,
                                          Direction direction, Map<String, String> parameters, Status status,
                                          String reason) {
        if (status == Status.OK) {
            throw new IllegalArgumentException("notMeasured needs a non-ok status");
        }
        return new Measurement(scenario, subject, metric, unit, direction, new TreeMap<>(parameters), status,
                new double[0], reason);
    }

    /** Median/min/max of the values, or null when nothing was measured. */
    public Summary summary() {
        return values.length == 0 ? null : Summary.of(values);
    }

    public boolean isPodswitch() {
        return PODSWITCH.equals(subject);
    }

    public Key key() {
        return new Key(scenario, metric, parameters);
    }

    /** The same measurement with another status and note (values kept, e.g. for the generator guard). */
    public Measurement withStatus(Status newStatus, String newNote) {
        return new Measurement(scenario, subject, metric, unit, direction, parameters, newStatus, values, newNote);
    }

    /** Parameters as "k=v, k=v" for tables. */
    public String parameterText() {
        StringBuilder sb = new StringBuilder();
        parameters.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Measurement m && scenario.equals(m.scenario) && subject.equals(m.subject)
                && metric.equals(m.metric) && unit.equals(m.unit) && direction == m.direction
                && parameters.equals(m.parameters) && status == m.status && Arrays.equals(values, m.values)
                && note.equals(m.note);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scenario, subject, metric, parameters, status) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return scenario + "/" + subject + "/" + metric + parameters + " " + status + " " + Arrays.toString(values)
                + " " + unit + (note.isEmpty() ? "" : " (" + note + ")");
    }

    /** What a podswitch figure and its baselines have in common. */
    public record Key(String scenario, String metric, SortedMap<String, String> parameters) {
    }
}
