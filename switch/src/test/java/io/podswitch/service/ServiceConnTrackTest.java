package io.podswitch.service;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceConnTrackTest {
    static final int TCP = 6;
    static final int UDP = 17;
    static final long S = 1_000_000_000L;
    static final long H = FlowHash.IPV4_MAPPED_HIGH;

    static long a(int last) {
        return FlowHash.ipv4MappedLow(0x0A00_0000 | last);
    }

    /** Flow i: client a(i):i → vip a(1000):80, backend a(2000 + i % 7):8080, no SNAT. */
    static int insert(ServiceConnTrack t, int i, long now) {
        return t.insert(TCP, H, a(i), 10_000 + i, H, a(1000), 80, H, a(2000 + i % 7), 8080, H, a(i), 10_000 + i, 3, 9,
            TcpState.SYN_SENT, now);
    }

    @Test
    void forwardAndReplyLookups() {
        ServiceConnTrack t = new ServiceConnTrack("ct", 64, ConnTrackTimeouts.DEFAULTS);
        int r = insert(t, 1, 0);
        assertTrue(r >= 0);
        assertEquals(r, t.lookup(TCP, H, a(1), 10_001, H, a(1000), 80, 1));
        assertEquals(ServiceConnTrack.MISS, t.lookup(UDP, H, a(1), 10_001, H, a(1000), 80, 1));
        assertEquals(a(2001), t.backendLow(r));
        assertEquals(8080, t.backendPort(r));
        assertEquals(10_001, t.snatPort(r));
        NatReply out = new NatReply();
        assertTrue(t.findReply(TCP, H, a(2001), 8080, H, a(1), 10_001, out));
        assertEquals(a(1000), out.vipLow);
        assertEquals(80, out.vipPort);
        assertEquals(a(1), out.clientLow);
        assertEquals(10_001, out.clientPort);
        assertEquals(3, out.service);
        assertFalse(t.findReply(TCP, H, a(2001), 8081, H, a(1), 10_001, out));
        assertEquals(ServiceConnTrack.CONFLICT, insert(t, 1, 0), "same reverse key as a live flow");
        t.remove(r);
        assertEquals(ServiceConnTrack.MISS, t.lookup(TCP, H, a(1), 10_001, H, a(1000), 80, 1));
        assertEquals(0, t.size());
    }

    @Test
    void fullBucketsAndRecordsReturnFullAndRecoverAfterExpiry() {
        ServiceConnTrack t = new ServiceConnTrack("ct", 8, ConnTrackTimeouts.DEFAULTS);
        int full = 0;
        for (int i = 0; i < 20; i++) {
            full += insert(t, i, 0) == ServiceConnTrack.FULL ? 1 : 0;
        }
        assertEquals(12, full);
        assertEquals(8, t.size());
        assertEquals(8, t.sweep(31 * S, 8)); // SYN_SENT flows die after 30 s
        assertTrue(insert(t, 100, 31 * S) >= 0);
    }

    @Test
    void replyDirectionStateDecidesTheTimeout() {
        ServiceConnTrack t = new ServiceConnTrack("ct", 64, ConnTrackTimeouts.DEFAULTS);
        int r = insert(t, 1, 0);
        t.touch(r, TcpState.ACK, 1 * S);
        assertEquals(TcpState.ESTABLISHED, t.tcpState(r));
        t.touchOther(r, TCP, TcpState.ACK, 1000 * S);
        assertEquals(0, t.sweep(1000 * S + 1, 64), "the reply refreshed the flow");
        t.touchOther(r, TCP, TcpState.RST, 1001 * S);
        assertEquals(1, t.sweep(1012 * S, 64), "RST from the backend: closed timeout");
    }

    @Test
    void badConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new ServiceConnTrack("ct", 12, ConnTrackTimeouts.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> new ServiceConnTrack("ct", 4, ConnTrackTimeouts.DEFAULTS));
    }

    /**
     * The cross-worker promise: while the owner inserts and removes flows as fast as it can, another thread
     * looking replies up never sees a torn record. Every flow's client port encodes its backend, so a
     * result mixing two flows is detected.
     */
    @Test
    void concurrentReplyLookupsNeverSeeATornRecord() throws Exception {
        ServiceConnTrack t = new ServiceConnTrack("ct", 256, ConnTrackTimeouts.DEFAULTS);
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicLong found = new AtomicLong();
        Thread reader = new Thread(() -> {
            NatReply out = new NatReply();
            long deadline = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < deadline && torn.get() == null) {
                for (int b = 0; b < 64; b++) {
                    for (int c = 0; c < 4; c++) {
                        int port = b * 4 + c + 1;
                        if (t.findReply(UDP, H, a(b), 9000, H, a(3000 + c), port, out)) {
                            found.incrementAndGet();
                            if (out.clientLow != a(3000 + c) || out.clientPort != port || out.vipPort != b + 1
                                || out.service != b) {
                                torn.set("backend " + b + " client " + c + " → " + out.clientPort + "/" + out.vipPort);
                            }
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
            int b = (int) (n % 64);
            int c = (int) ((n / 64) % 4);
            int k = b * 4 + c;
            if (records[k] >= 0) {
                t.remove(records[k]);
                records[k] = -1;
            } else {
                int port = k + 1;
                records[k] = t.insert(UDP, H, a(3000 + c), port, H, a(1000), b + 1, H, a(b), 9000, H, a(3000 + c), port,
                    b, 1, TcpState.NONE, 0);
            }
            n++;
        }
        reader.join();
        assertNull(torn.get());
        assertTrue(found.get() > 0, "the reader found flows");
    }
}
