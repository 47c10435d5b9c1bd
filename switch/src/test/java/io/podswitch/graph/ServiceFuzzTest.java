package io.podswitch.graph;

import io.podswitch.service.ServiceKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.podswitch.graph.ServiceFrames.ACK;
import static io.podswitch.graph.ServiceFrames.SYN;
import static io.podswitch.graph.ServiceFrames.tcp4;
import static io.podswitch.graph.ServiceFrames.tcp6;
import static io.podswitch.graph.ServiceFrames.udp4;
import static io.podswitch.graph.ServiceFrames.udp6;
import static io.podswitch.graph.ServiceGoldenTest.BACKEND;
import static io.podswitch.graph.ServiceGoldenTest.BACKEND6;
import static io.podswitch.graph.ServiceGoldenTest.POD;
import static io.podswitch.graph.ServiceGoldenTest.POD6;
import static io.podswitch.graph.ServiceGoldenTest.VIP;
import static io.podswitch.graph.ServiceGoldenTest.VIP6;
import static io.podswitch.graph.ServiceGoldenTest.fromPod;
import static io.podswitch.graph.ServiceGoldenTest.fromRouter;
import static io.podswitch.graph.ServiceHarness.POD_PORT;
import static io.podswitch.graph.ServiceHarness.UPLINK;
import static io.podswitch.graph.ServiceHarness.ep4;
import static io.podswitch.graph.ServiceHarness.ep6;
import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.ip4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated service traffic — flows to VIPs and node ports, replies, ICMP errors quoting translated headers —
 * never crashes the service stage and never leaks a frame. IPv4 header checksums are repaired after each
 * mutation so that the packets get past ip4-input and into the service stage.
 */
class ServiceFuzzTest {
    @Test
    void mutatedServiceTrafficNeverCrashesOrLeaks() {
        try (ServiceHarness h = new ServiceHarness(64)) {
            h.put(0, 6, "10.96.0.10", 80, List.of(ep4("172.16.0.5", 8080), ep4("10.0.0.10", 8080)));
            h.put(1, 17, "10.96.0.10", 53, List.of(ep4("172.16.0.5", 5353)));
            h.put(2, 6, "fd96::10", 80, List.of(ep6("2001:db8::5", 8080), ep6("fd00::10", 8080)));
            h.put(3, 17, "fd96::10", 53, List.of());
            h.put(4, ServiceKind.NODE_PORT, 6, "0.0.0.0", 30080, List.of(ep4("172.16.0.5", 8080)), false, 0);
            int node = ip4("192.168.1.1");
            byte[] data = bytes(24, 3);
            byte[] dnatedUdp = udp4(POD, BACKEND, 63, 1234, 5353, data, true);
            byte[] dnatedUdp6 = udp6(POD6, BACKEND6, 63, 1234, 8080, data);
            List<byte[]> fromPods = List.of(
                    fromPod(tcp4(POD, VIP, 64, 40000, 80, SYN, 1, 0, data)),
                    fromPod(udp4(POD, VIP, 64, 1234, 53, data, true)),
                    fromPod(tcp6(POD6, VIP6, 64, 40000, 80, ACK, 1, 1, data)),
                    fromPod(udp6(POD6, VIP6, 64, 1234, 53, data)),
                    fromPod(tcp4(POD, ip4("169.254.42.1"), 64, 8080, 40000, ACK, 1, 1, data)));
            List<byte[]> fromUplink = List.of(
                    fromRouter(tcp4(BACKEND, POD, 64, 8080, 40000, ACK, 1, 1, data)),
                    fromRouter(udp6(BACKEND6, POD6, 64, 8080, 40000, data)),
                    fromRouter(tcp4(ip4("172.16.9.9"), node, 64, 5555, 30080, SYN, 1, 0, data)),
                    fromRouter(TestFrames.ip4Packet(BACKEND, POD, 64, 1, 0, 3, TestFrames.icmp4(3, 3, 0, dnatedUdp))),
                    fromRouter(TestFrames.ip6Packet(BACKEND6, POD6, 64, 58,
                            TestFrames.icmp6(BACKEND6, POD6, 1, 4, 0, dnatedUdp6))));
            Random random = new Random(42);
            for (int round = 0; round < 20_000; round++) {
                boolean pod = random.nextBoolean();
                List<byte[]> seeds = pod ? fromPods : fromUplink;
                byte[] frame = mutate(seeds.get(random.nextInt(seeds.size())), random);
                h.send(random.nextInt(2), pod ? POD_PORT : UPLINK, frame);
                if ((round & 1023) == 0) {
                    h.advance(1_000_000_000L);
                }
            }
            h.settle();
            assertEquals(h.slab.frameCount(), h.pool.available(), "every frame back in the pool");
            assertTrue(h.counter(0, "ip4-service.dnat") + h.counter(1, "ip4-service.dnat") > 0, "mutants reached the stage");
        }
    }

    static byte[] mutate(byte[] seed, Random random) {
        byte[] f = seed.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = 14 + random.nextInt(f.length - 14);
                    f[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> f = java.util.Arrays.copyOf(f, 14 + random.nextInt(f.length - 13));
            case 2 -> {
                int at = 34 + random.nextInt(Math.max(1, f.length - 34));
                if (at < f.length) {
                    f[at] = (byte) random.nextInt(256);
                }
            }
            default -> {
                // the seed as is: keeps live flows in the tables for the mutants to hit
            }
        }
        if (f.length >= 34 && f[12] == 0x08 && f[13] == 0x00 && (f[14] & 0xf0) == 0x40) {
            int hl = (f[14] & 0xf) * 4;
            if (hl >= 20 && 14 + hl <= f.length) {
                f[24] = 0;
                f[25] = 0;
                int c = TestFrames.checksum(f, 14, hl, 0);
                f[24] = (byte) (c >>> 8);
                f[25] = (byte) c;
            }
        }
        return f;
    }
}
