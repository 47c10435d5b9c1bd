package io.podswitch.graph;

import io.podswitch.service.ServiceEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.FIN;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceGoldenTest.BACKEND;
import static io.podswitch.graph.ServiceGoldenTest.POD;
import static io.podswitch.graph.ServiceGoldenTest.VIP;
import static io.podswitch.graph.ServiceGoldenTest.destination;
import static io.podswitch.graph.ServiceGoldenTest.fromPod;
import static io.podswitch.graph.ServiceGoldenTest.fromRouter;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.TestFrames.ip4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flow-level behaviour of the service stage: pinning, backend changes, spread, expiry. */
class ServiceFlowTest {
    final ServiceHarness h = new ServiceHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private int open(int sport) {
        return destination(h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, sport, 80, SYN, 1, 0, new byte[0])),
                UPLINK));
    }

    private int data(int sport) {
        return destination(h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, sport, 80, ACK, 2, 2, new byte[0])),
                UPLINK));
    }

    private static List<ServiceEndpoint> backends(int from, int count) {
        List<ServiceEndpoint> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(ep4("172.16.1." + i, 80));
        }
        return list;
    }

    @Test
    void thousandConnectionsSpreadOverThreeBackendsWithinTwentyPercent() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 3));
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            counts.merge(open(10_000 + i), 1, Integer::sum);
        }
        assertEquals(3, counts.size());
        for (int c : counts.values()) {
            assertTrue(Math.abs(c - 1000 / 3.0) <= 0.2 * 1000 / 3.0, "share " + c + " of 1000: " + counts);
        }
    }

    @Test
    void anEstablishedFlowStaysOnItsBackendWhenTheMaglevTableChanges() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 1));
        List<Integer> ports = new ArrayList<>();
        for (int p = 30000; p < 30050; p++) {
            assertEquals(ip4("172.16.1.1"), open(p));
            ports.add(p);
        }
        h.put(0, 6, "10.96.0.10", 80, backends(1, 10)); // nine more: Maglev now sends ~90 % elsewhere
        for (int p : ports) {
            assertEquals(ip4("172.16.1.1"), data(p), "pinned flow moved");
        }
        int elsewhere = 0;
        for (int p = 31000; p < 31100; p++) {
            elsewhere += open(p) != ip4("172.16.1.1") ? 1 : 0;
        }
        assertTrue(elsewhere > 50, "new flows use the new backends: " + elsewhere);
    }

    @Test
    void removingABackendMovesItsFlowsAndNewFlowsAvoidIt() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 3));
        Map<Integer, Integer> before = new HashMap<>();
        for (int p = 40000; p < 40300; p++) {
            before.put(p, open(p));
        }
        int removed = ip4("172.16.1.2");
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.1.1", 80), ep4("172.16.1.3", 80)));
        int moved = 0;
        for (var e : before.entrySet()) {
            int now = data(e.getKey());
            assertNotEquals(removed, now);
            if (e.getValue() != removed) {
                assertEquals(e.getValue(), now, "a flow of a remaining backend stays");
            } else {
                moved++;
            }
        }
        assertTrue(moved > 50);
        assertEquals(moved, h.counter(0, "service.backend_gone"));
        for (int p = 50000; p < 50300; p++) {
            assertNotEquals(removed, open(p));
        }
    }

    @Test
    void terminatingBackendKeepsItsFlowsButGetsNoNewOnes() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 2));
        Map<Integer, Integer> before = new HashMap<>();
        for (int p = 40000; p < 40100; p++) {
            before.put(p, open(p));
        }
        int terminating = ip4("172.16.1.2");
        h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.1.1", 80),
                io.podswitch.service.ServiceEndpoint.ipv4(terminating, 80, 1, false, true, false)));
        for (var e : before.entrySet()) {
            assertEquals(e.getValue(), data(e.getKey()));
        }
        for (int p = 50000; p < 50100; p++) {
            assertEquals(ip4("172.16.1.1"), open(p));
        }
    }

    @Test
    void flowsExpireByTcpStateAndUdpTimeout() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 1));
        open(1000);
        assertEquals(1, h.tracks[0].size());
        h.send(1, UPLINK, fromRouter(tcp4(ip4("172.16.1.1"), POD, 64, 80, 1000, SYN | ACK, 5, 2, new byte[0])));
        data(1000); // ACK: established
        h.advance(60_000_000_000L); // beyond the SYN timeout, far below the established one
        assertEquals(1, h.tracks[0].size());
        // The server closes: FIN seen in the reply direction (on the other worker) shortens the timeout.
        h.send(1, UPLINK, fromRouter(tcp4(ip4("172.16.1.1"), POD, 64, 80, 1000, FIN | ACK, 6, 2, new byte[0])));
        h.advance(31_000_000_000L);
        sweepWholeTable();
        assertEquals(0, h.tracks[0].size(), "closing flow expired by the sweep");

        open(1001); // SYN only, never answered
        h.advance(29_000_000_000L);
        sweepWholeTable();
        assertEquals(1, h.tracks[0].size());
        h.advance(2_000_000_000L);
        sweepWholeTable();
        assertEquals(0, h.tracks[0].size());
    }

    /**
     * A client opens a new connection on the tuple of one that just closed (the kernel allows it at once when the
     * server closed first, or when the client binds its port): the flow stays on its backend (TcpState: CLOSING
     * --SYN--> SYN_SENT, tuple reused), and it is one more connection of the service — counted in
     * new_connections as Linux's conntrack counts it (a SYN on a closing entry starts a new one).
     */
    @Test
    void aTupleReusedByANewConnectionIsCountedAsOne() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 1));
        assertEquals(ip4("172.16.1.1"), open(1000));
        h.send(1, UPLINK, fromRouter(tcp4(ip4("172.16.1.1"), POD, 64, 80, 1000, SYN | ACK, 5, 2, new byte[0])));
        data(1000);
        h.send(1, UPLINK, fromRouter(tcp4(ip4("172.16.1.1"), POD, 64, 80, 1000, FIN | ACK, 6, 2, new byte[0])));
        h.sendExpectOne(0, POD_PORT, fromPod(tcp4(POD, VIP, 64, 1000, 80, FIN | ACK, 2, 7, new byte[0])), UPLINK);
        data(1000); // the last ACK
        assertEquals(1, newConnections());

        assertEquals(ip4("172.16.1.1"), open(1000), "the reused tuple keeps its backend");
        assertEquals(2, newConnections(), "the second connection on the tuple is counted");
        data(1000); // its ACK: not another connection
        assertEquals(2, newConnections());
        assertEquals(1, h.tracks[0].size(), "one flow record, reused");
    }

    private long newConnections() {
        return h.table.counters().get(0, io.podswitch.service.ServiceCounters.NEW_CONNECTIONS);
    }

    /** The sweep examines 1,024 records per tick; the harness's tables hold 4,096. */
    private void sweepWholeTable() {
        for (int i = 0; i < 4; i++) {
            h.advance(1);
        }
    }

    @Test
    void replyOfAnUnknownFlowPassesUntouched() {
        h.put(0, 6, "10.96.0.10", 80, backends(1, 1));
        open(1000);
        byte[] stray = fromRouter(tcp4(BACKEND, POD, 64, 8080, 999, ACK, 5, 2, new byte[0]));
        byte[] out = h.sendExpectOne(1, UPLINK, stray, POD_PORT);
        assertEquals(BACKEND, java.nio.ByteBuffer.wrap(out, 26, 4).getInt());
        assertEquals(0, h.counter(1, "ip4-service.un_nat"));
    }
}
