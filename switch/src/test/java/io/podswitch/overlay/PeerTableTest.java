package io.podswitch.overlay;

import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;

import static io.podswitch.overlay.OverlayFixture.LOCAL_MAC;
import static io.podswitch.overlay.OverlayFixture.REMOTE_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerTableTest {
    static TunnelPeer v4(int id, int remoteHost) {
        return TunnelPeer.ip4(id, "p" + id, TunnelMode.VXLAN, id, 4789, LOCAL_MAC, REMOTE_MAC,
                Ip4.address(10, 0, 0, 1), Ip4.address(10, 1, remoteHost >>> 8, remoteHost & 0xff));
    }

    static TunnelPeer v6(int id, int remoteHost) {
        return TunnelPeer.ip6(id, "q" + id, TunnelMode.GENEVE, id, 6081, LOCAL_MAC, REMOTE_MAC,
                Ip6.parse("fd00::1"), new long[] {0xfd00_0000_0000_0001L, remoteHost});
    }

    @Test
    void findsEveryPeerByRemoteAddressThroughGrowthAndRemoval() {
        PeerTable t = new PeerTable(512);
        for (int i = 0; i < 200; i++) {
            t.put(v4(i, i + 1));
            t.put(v6(200 + i, i + 1));
        }
        for (int i = 0; i < 200; i++) {
            assertSame(t.get(i), t.findIp4(Ip4.address(10, 1, 0, 0) + i + 1));
            assertSame(t.get(200 + i), t.findIp6(0xfd00_0000_0000_0001L, i + 1));
        }
        for (int i = 0; i < 200; i += 2) {
            t.remove(i);
            t.remove(200 + i);
        }
        for (int i = 0; i < 200; i++) {
            TunnelPeer p4 = t.findIp4(Ip4.address(10, 1, 0, 0) + i + 1);
            TunnelPeer p6 = t.findIp6(0xfd00_0000_0000_0001L, i + 1);
            if (i % 2 == 0) {
                assertNull(p4);
                assertNull(p6);
            } else {
                assertEquals(i, p4.id());
                assertEquals(200 + i, p6.id());
            }
        }
        assertNull(t.findIp4(Ip4.address(10, 9, 9, 9)));
        assertNull(t.findIp6(0, 1));
    }

    @Test
    void replacingAPeerMovesItsAddress() {
        PeerTable t = new PeerTable(4);
        t.put(v4(1, 5));
        t.put(v4(1, 6));
        assertNull(t.findIp4(Ip4.address(10, 1, 0, 5)));
        assertEquals(1, t.findIp4(Ip4.address(10, 1, 0, 6)).id());
    }

    @Test
    void refusesDuplicateRemotesAndIdsOutOfRange() {
        PeerTable t = new PeerTable(4);
        t.put(v4(0, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.put(v4(1, 5)));
        assertTrue(e.getMessage().contains("same remote address"), e.getMessage());
        assertNull(t.get(1));
        assertThrows(IllegalArgumentException.class, () -> t.put(v4(4, 9)));
        assertThrows(IllegalArgumentException.class, () -> t.remove(-1));
        assertNull(t.get(-1));
        assertNull(t.get(99));
    }

    @Test
    void peerValidationNamesTheProblem() {
        int a = Ip4.address(10, 0, 0, 1);
        int b = Ip4.address(10, 0, 0, 2);
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(0, "x", TunnelMode.VXLAN, 1 << 24, 4789, LOCAL_MAC, REMOTE_MAC, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(0, "x", TunnelMode.VXLAN, 1, 0, LOCAL_MAC, REMOTE_MAC, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(0, "bad name", TunnelMode.VXLAN, 1, 4789, LOCAL_MAC, REMOTE_MAC, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(-1, "x", TunnelMode.VXLAN, 1, 4789, LOCAL_MAC, REMOTE_MAC, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(0, "x", TunnelMode.VXLAN, 1, 4789, LOCAL_MAC, REMOTE_MAC, a,
                        Ip4.address(239, 1, 1, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip4(0, "x", TunnelMode.VXLAN, 1, 4789, LOCAL_MAC, 0x0100_0000_0000L, a, b));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip6(0, "x", TunnelMode.GENEVE, 1, 6081, LOCAL_MAC, REMOTE_MAC,
                        Ip6.parse("::"), Ip6.parse("fd00::2")));
        assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip6(0, "x", TunnelMode.GENEVE, 1, 6081, LOCAL_MAC, REMOTE_MAC,
                        Ip6.parse("fd00::1"), Ip6.parse("ff02::1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TunnelPeer.ip6(0, "x", TunnelMode.GENEVE, 1, 6081, LOCAL_MAC, REMOTE_MAC,
                        new long[1], Ip6.parse("fd00::2")));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
