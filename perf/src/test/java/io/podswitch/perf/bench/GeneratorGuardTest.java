package io.podswitch.perf.bench;

import io.podswitch.perf.report.Direction;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorGuardTest {

    private static Measurement forwarded(double... values) {
        return Measurement.ok("tap-forward", "podswitch", "forwarded_rate", "Mpps", Direction.HIGHER_IS_BETTER,
                Map.of("packet_size", "64"), values, "");
    }

    @Test
    void offeredEqualToForwardedIsGeneratorBound() {
        Measurement m = GeneratorGuard.apply(forwarded(1.0, 1.0, 1.0), new double[]{1.0, 1.0, 1.0});
        assertEquals(Status.GENERATOR_BOUND, m.status());
        assertEquals("offered 1 not above forwarded 1 Mpps", m.note());
        assertEquals(3, m.values().length, "values are kept for the record");
    }

    @Test
    void offeredBarelyAboveForwardedIsStillGeneratorBound() {
        assertEquals(Status.GENERATOR_BOUND,
                GeneratorGuard.apply(forwarded(1.0), new double[]{1.005}).status());
    }

    @Test
    void offeredClearlyAboveForwardedIsTheSwitchCapacity() {
        Measurement m = forwarded(1.0, 1.1, 0.9);
        assertSame(m, GeneratorGuard.apply(m, new double[]{2.0, 2.1, 1.9}));
    }

    @Test
    void mediansDecideNotSingleRepetitions() {
        // one repetition where the generator fell short does not condemn the step
        Measurement m = forwarded(1.0, 1.0, 1.0);
        assertSame(m, GeneratorGuard.apply(m, new double[]{0.9, 1.5, 1.6}));
    }

    @Test
    void notMeasuredFiguresPassThrough() {
        Measurement m = forwarded(1.0).withStatus(Status.FAILED, "boom");
        assertSame(m, GeneratorGuard.apply(m, new double[]{0.5}));
    }
}
