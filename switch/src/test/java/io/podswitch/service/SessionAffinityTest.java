package io.podswitch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SessionAffinityTest {
    private static final long CLIENT = FlowHash.ipv4MappedLow(0x0A01_0005);

    @Test
    void clientStaysOnItsBackendUntilIdleTimeout() {
        SessionAffinity affinity = new SessionAffinity("affinity.test", 16, 16, 100);
        assertEquals(SessionAffinity.MISS, affinity.lookup(1, 0, CLIENT, 0));
        affinity.record(1, 0, CLIENT, 4, 0);
        assertEquals(4, affinity.backend(affinity.lookup(1, 0, CLIENT, 100)));
        assertEquals(SessionAffinity.MISS, affinity.lookup(2, 0, CLIENT, 100), "another service");
        assertEquals(SessionAffinity.MISS, affinity.lookup(1, 0xfd00_0000_0000_0000L, CLIENT, 100), "another address");
        affinity.record(1, 0, CLIENT, 4, 90);
        assertEquals(4, affinity.backend(affinity.lookup(1, 0, CLIENT, 190)), "a new connection refreshes it");
        assertEquals(SessionAffinity.MISS, affinity.lookup(1, 0, CLIENT, 191));
        Map<String, Long> counters = new HashMap<>();
        affinity.visit(counters::put);
        assertEquals(1, counters.get("affinity.test.expired"));
        assertEquals(0, counters.get("affinity.test.entries"));
    }

    @Test
    void fullTableIsReportedAndSweepFreesIt() {
        SessionAffinity affinity = new SessionAffinity("affinity.test", 4, 4, 10);
        for (int i = 0; i < 4; i++) {
            assertTrue(affinity.record(1, 0, CLIENT + i, i, 0) >= 0);
        }
        assertEquals(SessionAffinity.FULL, affinity.record(1, 0, CLIENT + 9, 9, 5));
        assertEquals(4, affinity.sweep(11, 8));
        assertEquals(0, affinity.size());
        assertTrue(affinity.record(1, 0, CLIENT + 9, 9, 11) >= 0);
    }

    @Test
    void badConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SessionAffinity("x", 12, 4, 10));
        assertThrows(IllegalArgumentException.class, () -> new SessionAffinity("x", 16, 17, 10));
        assertThrows(IllegalArgumentException.class, () -> new SessionAffinity("x", 16, 4, 0));
    }
}
