package io.podswitch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConnTrackTest {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int CLIENT = 0x0A01_0005;
    private static final int VIP = 0x0A60_0001;
    /** Distinct timeouts so a test can tell which one applied. */
    static final ConnTrackTimeouts TIMEOUTS = new ConnTrackTimeouts(10, 1000, 20, 5, 100);

    private static ConnTrack table(int capacity) {
        return new ConnTrack("conntrack.test", capacity, capacity, TIMEOUTS);
    }

    private static Map<String, Long> counters(ConnTrack table) {
        Map<String, Long> counters = new HashMap<>();
        table.visit(counters::put);
        return counters;
    }

    @Test
    void insertLookupAndExpireWithAFakeClock() {
        ConnTrack table = table(64);
        int slot = table.insert4(UDP, CLIENT, VIP, 40000, 53, 2, 7, TcpState.NONE, 1000);
        assertTrue(slot >= 0);
        assertEquals(slot, table.lookup4(UDP, CLIENT, VIP, 40000, 53, 1050));
        assertEquals(2, table.backend(slot));
        assertEquals(7, table.natSlot(slot));
        assertEquals(ConnTrack.MISS, table.lookup4(UDP, CLIENT, VIP, 40001, 53, 1050), "other port");
        assertEquals(ConnTrack.MISS, table.lookup4(TCP, CLIENT, VIP, 40000, 53, 1050), "other protocol");
        assertEquals(ConnTrack.MISS, table.lookup4(UDP, VIP, CLIENT, 53, 40000, 1050), "reverse direction");
        table.touch(slot, 0, 1090);
        assertEquals(slot, table.lookup4(UDP, CLIENT, VIP, 40000, 53, 1190), "touch extends the life");
        assertEquals(ConnTrack.MISS, table.lookup4(UDP, CLIENT, VIP, 40000, 53, 1191), "idle past the UDP timeout");
        assertEquals(0, table.size(), "the lookup removed the dead entry");
        Map<String, Long> counters = counters(table);
        assertEquals(1, counters.get("conntrack.test.inserted"));
        assertEquals(1, counters.get("conntrack.test.expired"));
        assertEquals(2, counters.get("conntrack.test.lookup_hit"));
        assertEquals(4, counters.get("conntrack.test.lookup_miss"));
    }

    @Test
    void ipv4AndIpv6KeysAreDistinct() {
        ConnTrack table = table(64);
        int v4 = table.insert4(TCP, CLIENT, VIP, 40000, 80, 1, 0, TcpState.SYN_SENT, 0);
        int v6 = table.insert(TCP, 0xfd00_0000_0000_0000L, CLIENT, 0xfd00_0000_0000_0000L, VIP, 40000, 80, 2, 0, TcpState.SYN_SENT, 0);
        assertTrue(v4 != v6);
        assertEquals(1, table.backend(table.lookup4(TCP, CLIENT, VIP, 40000, 80, 1)));
        assertEquals(2, table.backend(table.lookup(TCP, 0xfd00_0000_0000_0000L, CLIENT, 0xfd00_0000_0000_0000L, VIP, 40000, 80, 1)));
    }

    @Test
    void tcpStateTransitions() {
        assertEquals(TcpState.SYN_SENT, TcpState.initial(TcpState.SYN));
        assertEquals(TcpState.SYN_SENT, TcpState.next(TcpState.SYN_SENT, TcpState.SYN | TcpState.ACK));
        assertEquals(TcpState.ESTABLISHED, TcpState.next(TcpState.SYN_SENT, TcpState.ACK));
        assertEquals(TcpState.ESTABLISHED, TcpState.next(TcpState.ESTABLISHED, TcpState.ACK));
        assertEquals(TcpState.CLOSING, TcpState.next(TcpState.ESTABLISHED, TcpState.FIN | TcpState.ACK));
        assertEquals(TcpState.CLOSING, TcpState.next(TcpState.CLOSING, TcpState.ACK));
        assertEquals(TcpState.CLOSED, TcpState.next(TcpState.ESTABLISHED, TcpState.RST));
        assertEquals(TcpState.CLOSED, TcpState.next(TcpState.CLOSING, TcpState.RST | TcpState.ACK));
        assertEquals(TcpState.SYN_SENT, TcpState.next(TcpState.CLOSED, TcpState.SYN));
        assertEquals(TcpState.SYN_SENT, TcpState.next(TcpState.CLOSING, TcpState.SYN));
        assertEquals(TcpState.NONE, TcpState.next(TcpState.NONE, TcpState.RST));
    }

    @Test
    void eachTcpStateHasItsTimeout() {
        ConnTrack table = table(64);
        int slot = table.insert4(TCP, CLIENT, VIP, 40000, 80, 0, 0, TcpState.initial(TcpState.SYN), 0);
        assertEquals(TcpState.SYN_SENT, table.tcpState(slot));
        assertEquals(ConnTrack.MISS, table.lookup4(TCP, CLIENT, VIP, 40000, 80, 11), "SYN_SENT lives 10");

        slot = table.insert4(TCP, CLIENT, VIP, 40000, 80, 0, 0, TcpState.SYN_SENT, 100);
        assertEquals(TcpState.ESTABLISHED, table.touch(slot, TcpState.ACK, 105));
        assertEquals(slot, table.lookup4(TCP, CLIENT, VIP, 40000, 80, 1105), "ESTABLISHED lives 1000");
        assertEquals(TcpState.CLOSING, table.touch(slot, TcpState.FIN | TcpState.ACK, 1105));
        assertEquals(slot, table.lookup4(TCP, CLIENT, VIP, 40000, 80, 1125));
        assertEquals(ConnTrack.MISS, table.lookup4(TCP, CLIENT, VIP, 40000, 80, 1126), "CLOSING lives 20");

        slot = table.insert4(TCP, CLIENT, VIP, 40000, 80, 0, 0, TcpState.ESTABLISHED, 2000);
        assertEquals(TcpState.CLOSED, table.touch(slot, TcpState.RST, 2000));
        assertEquals(ConnTrack.MISS, table.lookup4(TCP, CLIENT, VIP, 40000, 80, 2006), "CLOSED lives 5");
    }

    @Test
    void fullTableReturnsFullAndCountsIt() {
        ConnTrack table = table(8);
        for (int port = 0; port < 8; port++) {
            assertTrue(table.insert4(UDP, CLIENT, VIP, 40000 + port, 53, port, 0, TcpState.NONE, 0) >= 0);
        }
        assertEquals(ConnTrack.FULL, table.insert4(UDP, CLIENT, VIP, 50000, 53, 9, 0, TcpState.NONE, 50));
        assertEquals(1, counters(table).get("conntrack.test.full"));
        int existing = table.insert4(UDP, CLIENT, VIP, 40003, 53, 11, 0, TcpState.NONE, 50);
        assertEquals(11, table.backend(existing), "an existing entry can still be updated when full");
        for (int port = 0; port < 8; port++) {
            assertEquals(port == 3 ? 11 : port, table.backend(table.lookup4(UDP, CLIENT, VIP, 40000 + port, 53, 50)));
        }
        // Once the entries age out, an insert reclaims a dead slot.
        assertTrue(table.insert4(UDP, CLIENT, VIP, 50000, 53, 9, 0, TcpState.NONE, 101) >= 0);
    }

    @Test
    void boundedProbeReportsFullBeforeTheTableIs() {
        ConnTrack table = new ConnTrack("conntrack.small", 1024, 1, TIMEOUTS);
        int inserted = 0;
        int full = 0;
        for (int port = 0; port < 1024; port++) {
            if (table.insert4(UDP, CLIENT, VIP, port, 53, 0, 0, TcpState.NONE, 0) >= 0) {
                inserted++;
            } else {
                full++;
            }
        }
        assertTrue(full > 0 && inserted > 0, inserted + " inserted, " + full + " full");
        assertEquals(inserted, table.size());
    }

    @Test
    void sweepRemovesDeadEntriesWithinItsBudget() {
        ConnTrack table = table(256);
        for (int port = 0; port < 200; port++) {
            // Ports below 100 are UDP (dies after 100), the rest established TCP (dies after 1000).
            table.insert4(port < 100 ? UDP : TCP, CLIENT, VIP, port, 53, 0, 0, port < 100 ? TcpState.NONE : TcpState.ESTABLISHED, 0);
        }
        assertEquals(0, table.sweep(50, 256), "nothing is dead yet");
        // The budget counts slot examinations, and a slot is examined again after a removal (the shift
        // may bring another dead entry into it): 256 slots + 100 removals fit in 6 ticks of 64.
        int removed = 0;
        for (int tick = 0; tick < 6; tick++) {
            int now = table.sweep(101, 64);
            assertTrue(now <= 64, "one tick removed " + now);
            removed += now;
        }
        assertEquals(100, removed);
        assertEquals(100, table.size());
        for (int port = 0; port < 200; port++) {
            assertEquals(port >= 100, table.lookup4(port < 100 ? UDP : TCP, CLIENT, VIP, port, 53, 101) >= 0, "port " + port);
        }
    }

    @Test
    void removeDeletesOneEntry() {
        ConnTrack table = table(16);
        int slot = table.insert4(UDP, CLIENT, VIP, 1, 53, 0, 0, TcpState.NONE, 0);
        table.insert4(UDP, CLIENT, VIP, 2, 53, 0, 0, TcpState.NONE, 0);
        table.remove(slot);
        assertEquals(ConnTrack.MISS, table.lookup4(UDP, CLIENT, VIP, 1, 53, 0));
        assertTrue(table.lookup4(UDP, CLIENT, VIP, 2, 53, 0) >= 0);
        assertEquals(1, counters(table).get("conntrack.test.removed"));
    }

    @Test
    void badConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ConnTrack("x", 100, 10, TIMEOUTS));
        assertThrows(IllegalArgumentException.class, () -> new ConnTrack("x", 64, 65, TIMEOUTS));
        assertThrows(IllegalArgumentException.class, () -> new ConnTrack("x", 64, 0, TIMEOUTS));
        assertThrows(IllegalArgumentException.class, () -> new ConnTrackTimeouts(1, 1, 0, 1, 1));
    }
}
