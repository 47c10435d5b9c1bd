package io.podswitch.daemon.kubernetes.services;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Network programming latency, as Kubernetes defines it (SIG Scalability's SLI): from the change that made an
 * EndpointSlice change (its {@link ClusterServices#TRIGGER_TIME} annotation) to the moment the service is in
 * podswitch's data path. Changes triggered before this podswitchd started are not counted (their latency
 * would be its start-up). A histogram in microseconds, recorded on the control thread, read by status.
 */
public final class ProgrammingLatency {
    private final Instant since;
    private final Histogram micros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);

    /** One summary for {@code podswitch status}: count and percentiles in milliseconds. */
    public record Summary(long count, double p50Millis, double p90Millis, double p99Millis, double maxMillis) {
    }

    /** @param since changes triggered before this are not counted */
    public ProgrammingLatency(Instant since) {
        this.since = since;
    }

    /** Parses the annotation (RFC 3339, with or without fractions, Z or an offset); null when absent or garbage. */
    static Instant parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    synchronized void record(Instant trigger, Instant programmed) {
        if (trigger.isBefore(since)) {
            return;
        }
        long us = Math.max(0, TimeUnit.NANOSECONDS.toMicros(Duration.between(trigger, programmed).toNanos()));
        micros.recordValue(Math.min(us, micros.getHighestTrackableValue()));
    }

    public synchronized Summary summary() {
        if (micros.getTotalCount() == 0) {
            return new Summary(0, 0, 0, 0, 0);
        }
        return new Summary(micros.getTotalCount(), micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(90) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
                micros.getMaxValue() / 1000.0);
    }
}
