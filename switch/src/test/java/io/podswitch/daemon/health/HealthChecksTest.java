package io.podswitch.daemon.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthChecksTest {

    @Test
    void aProbePassesOnlyWhenEveryCheckPasses() {
        HealthChecks readiness = new Health().readiness();
        assertTrue(readiness.evaluate().passing(), "no checks: nothing to wait for");
        Gate dataplane = readiness.gate("dataplane", "starting");
        Gate synced = readiness.gate("kubernetes", "waiting for the first list");
        HealthReport report = readiness.evaluate();
        assertFalse(report.passing());
        assertEquals(503, report.httpStatus());
        dataplane.pass("workers 1/1 ticking");
        assertFalse(readiness.evaluate().passing());
        synced.pass("synced");
        assertEquals(200, readiness.evaluate().httpStatus());
        synced.fail("no event for 95 s");
        assertEquals("[-]kubernetes failed: no event for 95 s\nreadyz check failed\n",
                readiness.evaluate().render(false));
        assertEquals("[+]dataplane ok: workers 1/1 ticking\n[-]kubernetes failed: no event for 95 s\nreadyz check failed\n",
                readiness.evaluate().render(true));
        readiness.unregister(synced);
        assertEquals("readyz check passed\n", readiness.evaluate().render(false));
    }

    @Test
    void namesAreUniqueAndPlain() {
        HealthChecks checks = new HealthChecks("readyz");
        checks.gate("state", "recovering");
        assertThrows(IllegalArgumentException.class, () -> checks.gate("state", "again"));
        assertThrows(IllegalArgumentException.class, () -> checks.gate("Data Plane", "x"));
    }

    @Test
    void aCheckThatThrowsFailsTheProbeInsteadOfBreakingIt() {
        HealthChecks checks = new HealthChecks("readyz");
        checks.register(new HealthCheck() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Condition check() {
                throw new IllegalStateException("boom");
            }
        });
        HealthReport report = checks.evaluate();
        assertFalse(report.passing());
        assertTrue(report.render(true).contains("[-]broken failed: check threw java.lang.IllegalStateException: boom"));
    }

    @Test
    void progressFailsOnlyAfterTheCountStoodStillLongerThanAllowed() {
        AtomicLong ticks = new AtomicLong();
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ProgressCheck worker = new ProgressCheck("worker-0", "worker 0", ticks::get, now::get, 5_000_000_000L);
        assertTrue(worker.check().passing(), "first look: benefit of the doubt");
        now.addAndGet(4_000_000_000L);
        assertTrue(worker.check().passing());
        now.addAndGet(2_000_000_000L);
        Condition stalled = worker.check();
        assertFalse(stalled.passing());
        assertEquals("worker 0 made no progress for 6000 ms (count 0)", stalled.detail());
        ticks.incrementAndGet();
        assertTrue(worker.check().passing(), "moving again");
    }

    @Test
    void detailsStayOnOneLine() {
        assertEquals("a b", Condition.failing("a\nb").detail());
    }
}
