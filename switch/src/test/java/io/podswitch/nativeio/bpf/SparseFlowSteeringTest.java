package io.podswitch.nativeio.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.Bpf;
import io.podswitch.port.tap.TapSteering;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The TAP steering program in the kernel ({@code BPF_PROG_TEST_RUN}: the kernel wraps each packet in a
 * socket buffer and runs the program as tun would): a flow's first packets go to queue 0, a flow that
 * sends more than the cost limit within a window goes to the bulk queue, other flows stay in queue 0
 * meanwhile; IPv4 and IPv6, UDP and TCP; ARP and truncated packets go to queue 0. A burst is one test
 * run with {@code repeat}: the kernel runs the program that many times back to back, so the window
 * cannot expire in between whatever the machine's load.
 */
@Tag("privileged")
class SparseFlowSteeringTest {
    private TapSteering steering;

    @BeforeEach
    void load() {
        steering = TapSteering.load(2);
    }

    @AfterEach
    void close() {
        steering.close();
    }

    private int run(byte[] packet) {
        return Bpf.testRun(steering.programFd(), packet, "steering test", 1);
    }

    private int burst(byte[] packet, int times) {
        return Bpf.testRun(steering.programFd(), packet, "steering test", times);
    }

    /** Ethernet + IPv4 + UDP/TCP header + payload, addresses 10.9.0.a → 10.9.1.b. */
    static byte[] ipv4(int protocol, int a, int b, int sport, int dport, int payload) {
        int l4 = protocol == 6 ? 20 : 8;
        ByteBuffer p = ByteBuffer.allocate(14 + 20 + l4 + payload);
        p.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload)).putInt(0)
                .put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(new byte[] {10, 9, 0, (byte) a}).put(new byte[] {10, 9, 1, (byte) b});
        p.putShort((short) sport).putShort((short) dport);
        return p.array();
    }

    /** Ethernet + IPv6 + UDP/TCP header + payload, fd09::a → fd09::1:b. */
    static byte[] ipv6(int nextHeader, int a, int b, int sport, int dport, int payload) {
        int l4 = nextHeader == 6 ? 20 : 8;
        ByteBuffer p = ByteBuffer.allocate(14 + 40 + l4 + payload);
        p.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x86dd);
        p.putInt(0x60000000).putShort((short) (l4 + payload)).put((byte) nextHeader).put((byte) 64);
        p.putLong(0xfd09_0000_0000_0000L).putLong(a);
        p.putLong(0xfd09_0000_0000_0001L).putLong(b);
        p.putShort((short) sport).putShort((short) dport);
        return p.array();
    }

    @Test
    void aHeavyFlowMovesToTheBulkQueueAndTheOthersStay() {
        byte[] probe = ipv4(17, 2, 2, 40000, 7007, 64);
        byte[] blast = ipv4(17, 2, 2, 40001, 7009, 1400);
        assertEquals(0, run(probe), "a new flow is sparse");
        assertEquals(0, run(blast), "... whatever its packet size");
        // 1400-byte packets cost 2 units: 40 of them pass the limit of 64 within the window.
        assertEquals(1, burst(blast, 40), "a flow past the limit is heavy: bulk queue");
        assertEquals(0, run(probe), "the other flow of the same pod stays in queue 0");
        assertEquals(0, burst(ipv4(17, 2, 2, 40000, 7007, 64), 20), "20 small packets stay under the limit");
    }

    @Test
    void ipv6AndTcpFlowsAreTrackedByTheirOwnTuple() {
        byte[] tcp6 = ipv6(6, 5, 6, 33000, 5201, 1448);
        assertEquals(1, burst(tcp6, 60), "an IPv6 TCP bulk flow is heavy");
        assertEquals(0, run(ipv6(6, 5, 6, 33001, 5201, 0)), "another port pair: another flow, sparse");
        assertEquals(0, run(ipv4(6, 5, 6, 33000, 5201, 0)), "IPv4 with the same ports is another flow");
        // 3,000-byte packets (a test run takes at most a page) cost 1 + 2 units (a new flow's first costs 1):
        // 23 of them pass the limit.
        assertEquals(1, burst(ipv4(6, 7, 8, 1000, 2000, 3000), 23), "a few large packets are heavy too");
    }

    @Test
    void packetsWithoutAFlowGoToQueueZero() {
        ByteBuffer arp = ByteBuffer.allocate(42);
        arp.put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0806);
        assertEquals(0, burst(arp.array(), 200), "ARP is never heavy");
        // The kernel's test run refuses a packet shorter than an IP header; one that ends right after it
        // still fails the program's 24-byte header load (the ports are missing), the same guard.
        byte[] truncated = java.util.Arrays.copyOf(ipv4(17, 3, 3, 1, 2, 0), 14 + 20);
        assertEquals(0, burst(truncated, 200), "an IPv4 header without ports: no flow, queue 0");
        byte[] truncated6 = java.util.Arrays.copyOf(ipv6(17, 3, 3, 1, 2, 0), 14 + 40);
        assertEquals(0, burst(truncated6, 200), "an IPv6 header without ports: no flow, queue 0");
    }

    @Test
    void theBulkQueueFollowsTheFlowHash() {
        try (TapSteering four = TapSteering.load(4)) {
            java.util.Set<Integer> queues = new java.util.TreeSet<>();
            for (int flow = 0; flow < 40; flow++) {
                int q = Bpf.testRun(four.programFd(), ipv4(17, 9, 9, 20000 + flow, 80, 1400), "steering", 40);
                assertTrue(q >= 1 && q <= 3, "heavy flows use queues 1..3: " + q);
                queues.add(q);
            }
            assertEquals(java.util.Set.of(1, 2, 3), queues, "40 heavy flows spread over the three bulk queues");
        }
    }
}
