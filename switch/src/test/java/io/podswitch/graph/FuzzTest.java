package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;

import static io.podswitch.graph.TestFrames.arp;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.icmp4;
import static io.podswitch.graph.TestFrames.icmp6;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.ndBody;
import static io.podswitch.graph.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated and random frames (bit flips, truncation, extension, random bytes) never crash the graph
 * and never leak a frame: once pending resolutions have timed out, every frame is back in the pool.
 */
class FuzzTest {
    @Test
    void mutatedFramesNeverCrashOrLeak() {
        long gwMac = mac("02:00:00:00:00:01");
        long upMac = mac("02:00:00:00:01:01");
        long host = mac("02:aa:00:00:00:10");
        int pod = ip4("10.0.0.10");
        byte[] pod6 = ip6("fd00::10");
        byte[] gw6 = ip6("fd00::1");
        byte[] group = TestFrames.solicitedNode(gw6);
        List<byte[]> seeds = List.of(
                eth(gwMac, host, 0x0800, ip4Packet(pod, ip4("172.16.1.1"), 64, 17, 0x4000, 1, udp(1, 2, bytes(40, 1)))),
                eth(gwMac, host, 0x0800, ip4Packet(pod, ip4("10.0.0.1"), 64, 1, 0, 1, icmp4(8, 0, 1, bytes(20, 1)))),
                eth(gwMac, host, 0x0800, ip4Packet(pod, ip4("10.0.0.77"), 1, 1, 0, 1, icmp4(3, 1, 0, bytes(28, 1)))),
                eth(-1L & 0xffff_ffff_ffffL, host, 0x0806, arp(1, host, pod, 0, ip4("10.0.0.1"))),
                eth(gwMac, host, 0x0806, arp(2, host, ip4("10.0.0.99"), gwMac, ip4("10.0.0.1"))),
                eth(gwMac, host, 0x86dd, ip6Packet(pod6, ip6("2001:db8::1"), 64, 17, udp(1, 2, bytes(30, 2)))),
                eth(gwMac, host, 0x86dd, ip6Packet(pod6, gw6, 64, 58, icmp6(pod6, gw6, 128, 0, 1, bytes(10, 2)))),
                eth(TestFrames.multicastMac(group), host, 0x86dd, ip6Packet(pod6, group, 255, 58,
                        icmp6(pod6, group, 135, 0, 0, ndBody(gw6, 1, host)))),
                eth(gwMac, host, 0x86dd, ip6Packet(ip6("fd00::99"), gw6, 255, 58,
                        icmp6(ip6("fd00::99"), gw6, 136, 0, 0x6000_0000, ndBody(ip6("fd00::99"), 2, host)))),
                eth(gwMac, host, 0x86dd, ip6Packet(pod6, ip6("fd00::55"), 2, 17, udp(1, 2, bytes(1400, 2)))));

        TemplatePort podPort = new TemplatePort(0);
        TemplatePort uplink = new TemplatePort(1);
        try (FrameSlab slab = new FrameSlab(256)) {
            Interface podIf = Interface.builder(podPort, gwMac).ip4("10.0.0.1").ip6("fd00::1").ip6("fe80::1").build();
            Interface upIf = Interface.builder(uplink, upMac).mtu(1280).ip4("192.168.1.1").ip6("fd01::1").build();
            AdjacencyTable adj = new AdjacencyTable(16);
            int local = adj.addLocal();
            int podNet = adj.addConnected(0, 0);
            int via = adj.addVia4(1, ip4("192.168.1.254"), 0);
            long[] r6 = Ip6.parse("fd01::fe");
            int via6 = adj.addVia6(1, r6[0], r6[1], 0);
            int drop = adj.addDrop();
            NaiveLpm4 fib4 = new NaiveLpm4().add("10.0.0.1/32", local).add("10.0.0.0/24", podNet)
                    .add("172.16.0.0/12", via).add("10.99.0.0/16", drop);
            NaiveLpm6 fib6 = new NaiveLpm6().add("fd00::1/128", local).add("fd00::/64", podNet).add("2001:db8::/32", via6);
            NeighborTable neighbors = new NeighborTable(16);
            L3Graph graph = new L3Graph(slab, new InterfaceTable(podIf, upIf), fib4, fib6, adj, neighbors, 0,
                    new L3GraphConfig(32, 1000, 50, 4, 2, 1_000_000_000L, 3_000_000_000L));
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 64);
            PacketVector burst = new PacketVector(40);
            MemorySegment memory = slab.memory();
            Random r = new Random(42);
            long now = 0;
            for (int round = 0; round < 20_000; round++) {
                int n = 1 + r.nextInt(40);
                for (int i = 0; i < n; i++) {
                    int f = cache.allocate();
                    if (f < 0) {
                        break;
                    }
                    byte[] frame = mutate(seeds.get(r.nextInt(seeds.size())), r, slab.frameSize() - slab.headroom());
                    MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, slab.dataStart(f), frame.length);
                    slab.setLength(f, frame.length);
                    slab.setInPort(f, r.nextInt(10) == 0 ? 7 : r.nextInt(2)); // port 7 does not exist
                    burst.add(f);
                }
                graph.process(burst, cache);
                assertEquals(0, burst.size());
                graph.flush(cache);
                now += 50_000_000L;
                graph.tick(now);
            }
            graph.tick(now + 10_000_000_000L);
            graph.flush(cache);
            cache.flush();
            assertEquals(slab.frameCount(), pool.available(), "every frame returned");
            assertTrue(graph.counter("ethernet-input.packets") > 100_000);
            assertTrue(graph.counter("ip4-input.bad_checksum") > 0);
            assertTrue(graph.counter("ip4-local.echo_replies") > 0);
            assertTrue(graph.counter("nd.advertisements_sent") > 0);
        }
    }

    private static byte[] mutate(byte[] seed, Random r, int maxLength) {
        byte[] f;
        switch (r.nextInt(6)) {
            case 0 -> f = seed.clone();
            case 1 -> f = java.util.Arrays.copyOf(seed, r.nextInt(seed.length + 1)); // truncated, maybe empty
            case 2 -> f = java.util.Arrays.copyOf(seed, Math.min(maxLength, seed.length + r.nextInt(64)));
            case 3 -> {
                f = new byte[1 + r.nextInt(Math.min(maxLength, 200))];
                r.nextBytes(f);
            }
            default -> {
                f = seed.clone();
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(Math.min(f.length, 80));
                    f[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
        }
        return f;
    }
}
