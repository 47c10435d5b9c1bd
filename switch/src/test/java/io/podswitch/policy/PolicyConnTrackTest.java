package io.podswitch.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.podswitch.service.TcpState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class PolicyConnTrackTest {
    private static final long H = FlowHash.IPV4_MAPPED_HIGH;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final long SECOND = 1_000_000_000L;

    private static PolicyConnTrack.Key k(int proto, long sh, long sl, int sp, long dh, long dl, int dp) {
        return new PolicyConnTrack.Key().set(proto, sh, sl, sp, dh, dl, dp);
    }

    private static long a(int i) {
        return FlowHash.ipv4MappedLow(0x0AF4_0000 + i);
    }

    @Test
    void bothDirectionsFindTheConnectionAndKnowWhoOpenedIt() {
        PolicyConnTrack t = new PolicyConnTrack("ct", 64, ConnTrackTimeouts.DEFAULTS);
        PolicyConnTrack.Hit hit = new PolicyConnTrack.Hit();
        int r = t.insert(k(TCP, H, a(9), 40000, H, a(2), 80), 7, TcpState.SYN, 0);
        assertTrue(r >= 0);
        assertEquals(r, t.lookupOwn(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit));
        assertTrue(hit.fromInitiator);
        assertEquals(7, hit.generation);
        assertEquals(r, t.lookupOwn(k(TCP, H, a(2), 80, H, a(9), 40000), 1, hit), "the reply finds the same record");
        assertFalse(hit.fromInitiator);
        assertEquals(r, t.lookupOther(k(TCP, H, a(2), 80, H, a(9), 40000), 1, hit), "and so does another worker");
        assertFalse(hit.fromInitiator);
        assertEquals(PolicyConnTrack.MISS, t.lookupOwn(k(UDP, H, a(9), 40000, H, a(2), 80), 1, hit), "the protocol is in the key");
        assertEquals(PolicyConnTrack.MISS, t.lookupOwn(k(TCP, H, a(9), 40001, H, a(2), 80), 1, hit));
        t.allowed(r, 8);
        t.lookupOwn(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit);
        assertEquals(8, hit.generation);
        assertTrue(!hit.revoked);
        t.revoked(r, 9);
        assertEquals(r, t.lookupOther(k(TCP, H, a(2), 80, H, a(9), 40000), 1, hit), "a revoked connection stays, a tombstone");
        assertTrue(hit.revoked);
        assertEquals(9, hit.generation);
        t.allowed(r, 10);
        t.lookupOwn(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit);
        assertTrue(!hit.revoked, "allowed again");
        t.supersede(r);
        assertEquals(PolicyConnTrack.MISS, t.lookupOther(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit), "superseded: dead");
        assertEquals(PolicyConnTrack.MISS, t.lookupOwn(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit));
        r = t.insert(k(TCP, H, a(9), 40000, H, a(2), 80), 7, TcpState.SYN, 0);
        t.remove(r);
        assertEquals(PolicyConnTrack.MISS, t.lookupOwn(k(TCP, H, a(9), 40000, H, a(2), 80), 1, hit));
        assertTrue(t.isEmpty());
    }

    @Test
    void timeoutsFollowTheTcpStateSeenFromBothSides() {
        PolicyConnTrack t = new PolicyConnTrack("ct", 64, ConnTrackTimeouts.DEFAULTS);
        PolicyConnTrack.Hit hit = new PolicyConnTrack.Hit();
        int r = t.insert(k(TCP, H, a(1), 1000, H, a(2), 80), 1, TcpState.SYN, 0);
        t.touch(r, TcpState.ACK, SECOND);
        assertEquals(r, t.lookupOwn(k(TCP, H, a(1), 1000, H, a(2), 80), 1000 * SECOND, hit), "established: an hour");
        t.touchOther(r, TCP, TcpState.RST, 1000 * SECOND);
        assertEquals(PolicyConnTrack.MISS, t.lookupOwn(k(TCP, H, a(1), 1000, H, a(2), 80), 1011 * SECOND, hit),
                "a RST seen by another worker closes it: 10 s");
        int u = t.insert(k(UDP, H, a(1), 53, H, a(2), 53), 1, 0, 0);
        t.touchOther(u, UDP, 0, 100 * SECOND);
        assertEquals(u, t.lookupOwn(k(UDP, H, a(1), 53, H, a(2), 53), 200 * SECOND, hit), "refreshed by the other side");
        assertEquals(PolicyConnTrack.MISS, t.lookupOther(k(UDP, H, a(1), 53, H, a(2), 53), 221 * SECOND, hit));
        assertEquals(1, t.sweep(221 * SECOND, 64));
    }

    @Test
    void aFullTableRefusesAndRecoversWhenConnectionsExpire() {
        PolicyConnTrack t = new PolicyConnTrack("ct", 8, ConnTrackTimeouts.DEFAULTS);
        int inserted = 0;
        for (int i = 0; i < 100; i++) {
            if (t.insert(k(UDP, H, a(i), 1, H, a(1000), 2), 1, 0, 0) >= 0) {
                inserted++;
            }
        }
        assertTrue(inserted <= 8);
        assertEquals(PolicyConnTrack.FULL, t.insert(k(UDP, H, a(5000), 1, H, a(1000), 2), 1, 0, 0));
        assertTrue(t.insert(k(UDP, H, a(5000), 1, H, a(1000), 2), 1, 0, 200 * SECOND) >= 0, "dead entries make room");
        assertThrows(IllegalArgumentException.class, () -> new PolicyConnTrack("ct", 100, ConnTrackTimeouts.DEFAULTS));
    }

    /** Random inserts, lookups (both directions), removals and time against a map of live connections. */
    @Property(tries = 100)
    void behavesLikeAMapOfConnections(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        PolicyConnTrack t = new PolicyConnTrack("ct", 256, ConnTrackTimeouts.DEFAULTS);
        PolicyConnTrack.Hit hit = new PolicyConnTrack.Hit();
        Map<List<Integer>, Integer> live = new HashMap<>(); // (src, sport, dst, dport) as opened → record
        long now = 0;
        for (int op = 0; op < 2000; op++) {
            int s = r.nextInt(20);
            int d = r.nextInt(20);
            int sp = 1 + r.nextInt(3);
            int dp = 1 + r.nextInt(3);
            List<Integer> key = List.of(s, sp, d, dp);
            List<Integer> back = List.of(d, dp, s, sp);
            Integer known = live.containsKey(key) ? live.get(key) : live.get(back);
            switch (r.nextInt(4)) {
                case 0 -> {
                    if (known == null) {
                        int rec = t.insert(k(UDP, H, a(s), sp, H, a(d), dp), 1, 0, now);
                        if (rec >= 0) {
                            live.put(key, rec);
                        }
                    }
                }
                case 1 -> {
                    int rec = t.lookupOwn(k(UDP, H, a(s), sp, H, a(d), dp), now, hit);
                    assertEquals(known == null ? PolicyConnTrack.MISS : known, rec);
                    if (known != null) {
                        assertEquals(live.containsKey(key), hit.fromInitiator || (s == d && sp == dp));
                        t.touch(rec, 0, now);
                    }
                }
                case 2 -> {
                    if (known != null) {
                        t.remove(known);
                        live.remove(key);
                        live.remove(back);
                    }
                }
                default -> assertEquals(known == null ? PolicyConnTrack.MISS : known,
                        t.lookupOther(k(UDP, H, a(s), sp, H, a(d), dp), now, hit));
            }
            now += 1000;
        }
        assertEquals(live.size(), t.size());
    }

    /** While the owner inserts and removes as fast as it can, another thread never takes one connection for another. */
    @Test
    void concurrentLookupsNeverSeeATornRecord() throws Exception {
        PolicyConnTrack t = new PolicyConnTrack("ct", 256, ConnTrackTimeouts.DEFAULTS);
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicLong found = new AtomicLong();
        Thread reader = new Thread(() -> {
            PolicyConnTrack.Hit hit = new PolicyConnTrack.Hit();
            long deadline = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < deadline && torn.get() == null) {
                for (int k = 0; k < 256; k++) {
                    // connection k is opened by a(k) from port k+1 (odd k) or by a(5000) (even k): the hit must say so
                    int rec = t.lookupOther(k(UDP, H, a(5000), 53, H, a(k), k + 1), 0, hit);
                    if (rec >= 0) {
                        found.incrementAndGet();
                        if (hit.fromInitiator != (k % 2 == 0) || hit.generation != k) {
                            torn.set("connection " + k + ": initiator " + hit.fromInitiator + " generation " + hit.generation);
                        }
                    }
                }
            }
        });
        reader.start();
        int[] records = new int[256];
        java.util.Arrays.fill(records, -1);
        long n = 0;
        while (reader.isAlive()) {
            int k = (int) (n % 256);
            if (records[k] >= 0) {
                t.remove(records[k]);
                records[k] = -1;
            } else if (k % 2 == 0) {
                records[k] = t.insert(k(UDP, H, a(5000), 53, H, a(k), k + 1), k, 0, 0);
            } else {
                records[k] = t.insert(k(UDP, H, a(k), k + 1, H, a(5000), 53), k, 0, 0);
            }
            n++;
        }
        reader.join();
        assertNull(torn.get());
        assertTrue(found.get() > 0, "the reader found connections");
    }
}
