package io.podswitch.perf.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PercentilesTest {

    private static final double[] ONE_TO_HUNDRED_ONE = new double[101];

    static {
        for (int i = 0; i <= 100; i++) {
            ONE_TO_HUNDRED_ONE[i] = 100 - i; // unsorted on purpose
        }
    }

    @Test
    void percentilesOfZeroToHundredAreThemselves() {
        assertEquals(0, Percentiles.of(ONE_TO_HUNDRED_ONE, 0));
        assertEquals(50, Percentiles.of(ONE_TO_HUNDRED_ONE, 50));
        assertEquals(99, Percentiles.of(ONE_TO_HUNDRED_ONE, 99));
        assertEquals(100, Percentiles.of(ONE_TO_HUNDRED_ONE, 100));
    }

    @Test
    void interpolatesBetweenClosestRanks() {
        double[] v = {10, 20, 30, 40};
        assertEquals(25, Percentiles.of(v, 50), 1e-12);   // rank 1.5
        assertEquals(37, Percentiles.of(v, 90), 1e-12);   // rank 2.7
        assertEquals(10, Percentiles.of(v, 0));
        assertEquals(40, Percentiles.of(v, 100));
    }

    @Test
    void outOfRangePercentilesAndEmptyInputAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[]{1}, -1));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[]{1}, 100.5));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[]{1}, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[0], 50));
    }
}
