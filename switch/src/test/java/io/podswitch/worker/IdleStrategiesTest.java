package io.podswitch.worker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class IdleStrategiesTest {
    @Test
    void createsEachKind() {
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.create("spin"));
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.create("busy-spin"));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.create("backoff"));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.create(" Backoff:5000 "));
        assertInstanceOf(YieldingIdleStrategy.class, IdleStrategies.create("yield"));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.create("sleep"));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.create("sleep:250000"));
        assertInstanceOf(NoOpIdleStrategy.class, IdleStrategies.create("noop"));
        assertNotSame(IdleStrategies.create("spin"), IdleStrategies.create("spin"), "one instance per thread");
    }

    @Test
    void parsesParameters() {
        assertEquals(new IdleStrategies.Spec("sleep", 250_000), IdleStrategies.parse("sleep:250000"));
        assertEquals(new IdleStrategies.Spec("sleep", 100_000), IdleStrategies.parse("sleep"));
        assertEquals(new IdleStrategies.Spec("backoff", 1_000_000), IdleStrategies.parse("backoff"));
        assertEquals(new IdleStrategies.Spec("spin", 0), IdleStrategies.parse("SPIN"));
    }

    @Test
    void rejectsBadSpecsWithAPreciseMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.create("fast"))
                .getMessage().contains("unknown idle strategy 'fast'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse("sleep:abc"))
                .getMessage().contains("'abc' is not a number"));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse("sleep:0"));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse("backoff:10"));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse("spin:5"));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse(""));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.parse(null));
        assertThrows(IllegalArgumentException.class, () -> WorkerConfig.defaults().withIdleStrategy("turbo"),
                "a worker config with a bad idle strategy fails when it is made");
    }
}
