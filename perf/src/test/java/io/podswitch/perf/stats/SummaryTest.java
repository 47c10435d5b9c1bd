package io.podswitch.perf.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SummaryTest {

    @Test
    void medianOfOddCountIsTheMiddleValue() {
        Summary s = Summary.of(5, 1, 3);
        assertEquals(3, s.median());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(3, s.count());
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Summary.of(4, 1, 3, 2).median());
    }

    @Test
    void singleValueIsItsOwnMedianMinAndMax() {
        Summary s = Summary.of(7.25);
        assertEquals(new Summary(1, 7.25, 7.25, 7.25), s);
    }

    @Test
    void inputIsNotReordered() {
        double[] values = {3, 1, 2};
        Summary.of(values);
        assertArrayEquals(new double[]{3, 1, 2}, values);
    }

    @Test
    void emptyAndNaNAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Summary.of());
        assertThrows(IllegalArgumentException.class, () -> Summary.of(1, Double.NaN));
    }

    @Test
    void spreadIsTheLargerDistanceFromTheMedianRelativeToIt() {
        assertEquals(0.1, Summary.of(90, 100, 105).spread(), 1e-12);
        assertEquals(0.0, Summary.of(0, 0).spread());
    }
}
