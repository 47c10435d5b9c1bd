package io.podswitch.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterfaceTest {
    final TemplatePort port = new TemplatePort(2);

    static void assertRejected(String fragment, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void builderRejectsBadSettingsWithPreciseMessages() {
        assertRejected("unicast 48-bit", () -> Interface.builder(port, 0x0100_0000_0000L));
        assertRejected("unicast 48-bit", () -> Interface.builder(port, 0));
        assertRejected("MTU out of range", () -> Interface.builder(port, 0x0200_0000_0001L).mtu(40));
        assertRejected("not a unicast IPv4", () -> Interface.builder(port, 0x0200_0000_0001L).ip4("224.0.0.1"));
        assertRejected("not an IPv4 address", () -> Interface.builder(port, 0x0200_0000_0001L).ip4("10.0.0.300"));
        assertRejected("not a unicast IPv6", () -> Interface.builder(port, 0x0200_0000_0001L).ip6("ff02::1"));
        assertRejected("VLAN id out of range", () -> Interface.builder(port, 0x0200_0000_0001L).vlan(4095));
    }

    @Test
    void trafficFromOutsideIsAnyOnAnUplinkAndForeignSourcesOnAHostPort() {
        Interface pod = Interface.builder(port, 0x0200_0000_0001L).ip4("10.1.0.1").build();
        assertFalse(pod.fromOutside4(TestFrames.ip4("203.0.113.9")), "a pod port: never from outside");
        assertFalse(pod.fromOutside6(0x2001_0db8_0000_0000L, 9));
        Interface uplink = Interface.builder(port, 0x0200_0000_0001L).ip4("192.168.1.1").uplink(true).build();
        assertTrue(uplink.fromOutside4(TestFrames.ip4("192.168.1.1")), "an uplink: always");
        assertTrue(uplink.fromOutside6(0, 1));
        long[] host6 = io.podswitch.packet.Ip6.parse("fd00:10:244:1::2");
        Interface host = Interface.builder(port, 0x0200_0000_0001L).ip4("10.244.1.1")
                .hostAddresses(new int[] {TestFrames.ip4("10.244.1.2")}, new long[] {host6[0]}, new long[] {host6[1]})
                .build();
        assertFalse(host.fromOutside4(TestFrames.ip4("10.244.1.2")), "the node's own address on the TAP");
        assertTrue(host.fromOutside4(TestFrames.ip4("203.0.113.9")), "forwarded by the node's kernel");
        assertFalse(host.fromOutside6(host6[0], host6[1]));
        assertTrue(host.fromOutside6(host6[0], host6[1] + 1));
        assertRejected("halves differ", () -> Interface.builder(port, 0x0200_0000_0001L)
                .hostAddresses(new int[0], new long[1], new long[0]));
    }

    @Test
    void addressesAndSourceSelection() {
        Interface i = Interface.builder(port, 0x0200_0000_0001L).ip4("10.1.0.1").ip6("fe80::1").ip6("fd00::1")
                .build();
        assertEquals(1500, i.mtu());
        assertTrue(i.ownsIp4(TestFrames.ip4("10.1.0.1")));
        assertFalse(i.ownsIp4(TestFrames.ip4("10.1.0.2")));
        assertEquals(1, i.ip6ErrorSource(), "global address for errors");
        assertEquals(0, i.ip6NdSource(), "link-local address for neighbour discovery");
        assertTrue(i.joinedSolicitedNode(0x0000_0001_ff00_0001L));
        assertFalse(i.joinedSolicitedNode(0x0000_0001_ff00_0002L));
    }

    @Test
    void tableRejectsDuplicatePortIds() {
        Interface a = Interface.builder(port, 0x0200_0000_0001L).build();
        Interface b = Interface.builder(port, 0x0200_0000_0002L).build();
        assertRejected("two interfaces with port id 2", () -> new InterfaceTable(a, b));
        InterfaceTable t = new InterfaceTable(a);
        assertEquals(a, t.get(2));
        assertEquals(null, t.get(0));
        assertEquals(null, t.get(-1));
        assertEquals(null, t.get(99));
    }

    @Test
    void configRejectsNonsense() {
        assertRejected("vectorCapacity", () -> new L3GraphConfig(0, 1, 1, 1, 1, 1, 1));
        assertRejected("resolution queue", () -> new L3GraphConfig(1, 1, 1, 0, 1, 1, 1));
        assertRejected("retransmit", () -> new L3GraphConfig(1, 1, 1, 1, 1, 10, 5));
        assertRejected("token bucket", () -> new TokenBucket(-1, 1));
    }

    @Test
    void tokenBucketRefillsAtItsRate() {
        TokenBucket b = new TokenBucket(10, 2);
        assertTrue(b.tryTake());
        assertTrue(b.tryTake());
        assertFalse(b.tryTake());
        b.refill(0);
        b.refill(100_000_000); // 0.1 s at 10/s: one token
        assertTrue(b.tryTake());
        assertFalse(b.tryTake());
        b.refill(60_000_000_000L); // a minute: capped at the burst
        assertTrue(b.tryTake());
        assertTrue(b.tryTake());
        assertFalse(b.tryTake());
    }
}
