package io.podswitch.port.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import io.podswitch.nativeio.Tun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Opening TAPs: errors that name the call and the interface, persistence, multi-queue. */
@Tag("privileged")
class TapPortOpenPrivilegedTest {
    private final String name = "psto" + NetnsFixture.suffix();

    @AfterEach
    void removeLeftovers() {
        try (Netlink nl = Netlink.open()) {
            if (nl.findLink(name).isPresent()) {
                nl.deleteLink(name);
            }
        }
    }

    @Test
    void tooLongNameIsRefusedNamingTheCallAndTheName() {
        String tooLong = name + "-much-too-long";
        NativeException e = assertThrows(NativeException.class, () -> TapPort.open(0, TapPortConfig.of(tooLong)));
        assertEquals("TUNSETIFF", e.call());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("TUNSETIFF on '" + tooLong + "': EINVAL"), e.getMessage());
        NativeException direct = assertThrows(NativeException.class,
                () -> Tun.open(tooLong, Tun.IFF_TAP | Tun.IFF_NO_PI));
        assertEquals(e.getMessage(), direct.getMessage());
    }

    @Test
    void kernelRefusalNamesTheCallAndTheInterface() {
        try (TapPort port = TapPort.open(0, TapPortConfig.of(name))) {
            // The TAP is single-queue: attaching a multi-queue descriptor to it is refused by the kernel.
            NativeException e = assertThrows(NativeException.class,
                    () -> Tun.open(name, Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR | Tun.IFF_MULTI_QUEUE));
            assertEquals("TUNSETIFF", e.call());
            assertTrue(e.getMessage().startsWith("TUNSETIFF on '" + name + "': " + Errno.name(e.errno())), e.getMessage());
            assertEquals(1, port.queueCount());
        }
    }

    /**
     * UDP tunnel offloads (Linux 6.17+): the kernel takes the 24-byte header and TUN_F_UDP_TUNNEL_GSO[_CSUM],
     * and the port declares that it segments inside tunnels.
     */
    @Test
    void tunnelOffloadsUseTheLongerHeader() {
        try (TapPort port = TapPort.open(0, TapPortConfig.of(name).withTunnelOffloads())) {
            assertEquals(24, Tun.vnetHeaderSize(port.fd(0), name));
            assertEquals(24, port.vnetHeaderSize());
            assertTrue(port.tunnelOffloadsEnabled());
            assertEquals(io.podswitch.port.PortOffloads.ALL | io.podswitch.port.PortOffloads.UDP_TUNNEL, port.offloads());
        }
        try (TapPort port = TapPort.open(0, TapPortConfig.of(name).withOffloads(true))) {
            assertEquals(TapPort.VNET_HEADER_SIZE, Tun.vnetHeaderSize(port.fd(0), name));
            assertEquals(io.podswitch.port.PortOffloads.ALL, port.offloads());
        }
    }

    @Test
    void persistentTapSurvivesCloseAndIsReattached() {
        TapPortConfig config = new TapPortConfig(name, 1400, 0x02_11_22_33_44_55L, true, 1);
        TapPort first = TapPort.open(3, config);
        assertEquals(TapPort.VNET_HEADER_SIZE, Tun.vnetHeaderSize(first.fd(0), name));
        assertEquals(name, Tun.name(first.fd(0)));
        first.close();
        try (Netlink nl = Netlink.open()) {
            LinkInfo kept = nl.link(name);
            assertEquals(1400, kept.mtu());
            assertEquals(0x02_11_22_33_44_55L, kept.mac());
        }
        TapPort again = TapPort.open(3, config);
        assertEquals(1400, again.mtu());
        again.closeAndDelete();
        try (Netlink nl = Netlink.open()) {
            assertTrue(nl.findLink(name).isEmpty(), "closeAndDelete left the persistent TAP behind");
        }
    }

    /**
     * The daemon-restart case: a persistent TAP was moved into a pod's namespace; the daemon's
     * descriptors close (restart); the new daemon re-attaches inside that namespace and finds the
     * interface as it was.
     */
    @Test
    void persistentTapInAPodNamespaceIsReattachedAfterRestart() {
        String ns = "psto" + NetnsFixture.suffix() + "ns";
        NetnsFixture.run("ip", "netns", "add", ns);
        int nsFd = -1;
        try {
            nsFd = Netns.open(ns);
            TapPortConfig config = new TapPortConfig(name, 1450, 0x02_11_22_33_44_66L, true, 1);
            TapPort before = TapPort.open(5, config);
            before.moveToNetns(nsFd, ns);
            before.close(); // the daemon dies
            int fd = nsFd;
            LinkInfo kept = Netns.call(fd, ns, () -> {
                try (Netlink nl = Netlink.open()) {
                    return nl.link(name);
                }
            });
            assertEquals(1450, kept.mtu());
            try (Netlink nl = Netlink.open()) {
                assertTrue(nl.findLink(name).isEmpty(), "the TAP must be in the pod, not here");
            }
            TapPort after = TapPort.openIn(nsFd, ns, 5, config);
            assertEquals(1450, after.mtu());
            assertEquals(name, Tun.name(after.fd(0)));
            after.closeAndDelete();
            assertTrue(Netns.call(fd, ns, () -> {
                try (Netlink nl = Netlink.open()) {
                    return nl.findLink(name).isEmpty();
                }
            }), "closeAndDelete left the TAP in the pod");
        } finally {
            Libc.close(nsFd);
            NetnsFixture.quietly("ip", "netns", "del", ns);
        }
    }

    @Test
    void multiQueueTapHasOneDescriptorPerQueue() {
        try (TapPort port = TapPort.open(0, new TapPortConfig(name, 1500, 0, false, 2))) {
            assertEquals(2, port.queueCount());
            assertTrue((Tun.flags(port.fd(1)) & Tun.IFF_MULTI_QUEUE) != 0);
            Tun.detachQueue(port.fd(1), name);
            Tun.attachQueue(port.fd(1), name);
            assertEquals(0, port.counters().rxPackets());
        }
    }

    @Test
    void configRejectsBadValuesBeforeTouchingTheKernel() {
        assertThrows(IllegalArgumentException.class, () -> new TapPortConfig(name, 9000, 0, false, 1));
        assertThrows(IllegalArgumentException.class, () -> new TapPortConfig(name, 1500, 0x01_00_00_00_00_01L, false, 1));
        assertThrows(IllegalArgumentException.class, () -> new TapPortConfig(name, 1500, 0, false, 0));
    }
}
