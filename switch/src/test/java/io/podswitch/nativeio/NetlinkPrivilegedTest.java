package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetnsFixture.quietly;
import static io.podswitch.nativeio.NetnsFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** rtnetlink against the real kernel, inside a throwaway network namespace. */
@Tag("privileged")
class NetlinkPrivilegedTest {
    private final String ns = "psnl" + NetnsFixture.suffix();
    private int nsFd = -1;

    @BeforeEach
    void createNamespace() {
        run("ip", "netns", "add", ns);
        nsFd = Netns.open(ns);
    }

    @AfterEach
    void deleteNamespace() {
        Libc.close(nsFd);
        quietly("ip", "netns", "del", ns);
    }

    private <T> T inNs(java.util.concurrent.Callable<T> action) {
        return Netns.call(nsFd, ns, action);
    }

    @Test
    void linksAddressesRoutesAndNeighbours() throws Exception {
        InetAddress gw4 = InetAddress.getByName("10.77.0.1");
        InetAddress gw6 = InetAddress.getByName("fd77::1");
        inNs(() -> {
            try (Netlink nl = Netlink.open()) {
                nl.createVethPair("va", "vb");
                nl.setMtu("va", 1400);
                nl.setMac("va", 0x02aabbccdd01L);
                nl.setLinkUp("va");
                nl.setLinkUp("vb");
                LinkInfo va = nl.link("va");
                assertEquals(1400, va.mtu());
                assertEquals(0x02aabbccdd01L, va.mac());
                assertTrue(va.isUp());
                assertEquals(va.index(), nl.linkIndex("va"));

                nl.addAddress("va", InetAddress.getByName("10.77.0.2"), 24);
                nl.addAddress("va", InetAddress.getByName("fd77::2"), 64);
                List<InterfaceAddress> addresses = nl.addresses("va");
                assertTrue(addresses.stream().anyMatch(a -> a.toString().equals("10.77.0.2/24")), addresses.toString());
                assertTrue(addresses.stream().anyMatch(a -> a.toString().equals("fd77::2/64")), addresses.toString());
                nl.addRoute(new Route(InetAddress.getByName("10.99.0.0"), 16, gw4, "va", false));
                nl.addRoute(Route.defaultVia(InetAddress.getByName("169.254.1.1"), "va", true));
                nl.addRoute(Route.defaultVia(gw6, "va", false));
                nl.addNeighbour("va", gw4, 0x02aabbccdd02L);
                nl.addNeighbour("va", gw6, 0x02aabbccdd02L);
                List<Neighbour> neighbours = nl.neighbours(Sockets.AF_UNSPEC);
                assertTrue(neighbours.stream().anyMatch(n -> n.address().equals(gw4) && n.isPermanent()
                        && n.mac() == 0x02aabbccdd02L && n.ifindex() == va.index()), neighbours.toString());
                assertTrue(neighbours.stream().anyMatch(n -> n.address().equals(gw6) && n.isPermanent()),
                        neighbours.toString());
            }
            return null;
        });
        String addrs = run("ip", "-n", ns, "addr", "show", "dev", "va");
        assertTrue(addrs.contains("inet 10.77.0.2/24"), addrs);
        assertTrue(addrs.contains("inet6 fd77::2/64"), addrs);
        String routes = run("ip", "-n", ns, "route", "show");
        assertTrue(routes.contains("default via 169.254.1.1 dev va") && routes.contains("onlink"), routes);
        assertTrue(routes.contains("10.99.0.0/16 via 10.77.0.1 dev va"), routes);
        String routes6 = run("ip", "-n", ns, "-6", "route", "show");
        assertTrue(routes6.contains("default via fd77::1 dev va"), routes6);
        String neigh = run("ip", "-n", ns, "neigh", "show", "dev", "va");
        assertTrue(neigh.contains("10.77.0.1 lladdr 02:aa:bb:cc:dd:02 PERMANENT"), neigh);

        inNs(() -> {
            try (Netlink nl = Netlink.open()) {
                nl.deleteRoute(new Route(InetAddress.getByName("10.99.0.0"), 16, gw4, "va", false));
                nl.deleteNeighbour("va", gw4);
                nl.deleteAddress("va", InetAddress.getByName("10.77.0.2"), 24);
                nl.setLinkDown("va");
                assertFalse(nl.link("va").isUp());
                nl.deleteLink("va");
                assertTrue(nl.findLink("va").isEmpty());
                assertTrue(nl.findLink("vb").isEmpty()); // the peer goes with it
            }
            return null;
        });
        assertFalse(run("ip", "-n", ns, "route", "show").contains("10.99.0.0"));
    }

    @Test
    void kernelErrorsNameTheOperationAndTheObject() {
        inNs(() -> {
            try (Netlink nl = Netlink.open()) {
                nl.createVethPair("va", "vb");
                nl.addAddress("va", InetAddress.getByName("10.78.0.2"), 24);
                NativeException dup = assertThrows(NativeException.class,
                        () -> nl.addAddress("va", InetAddress.getByName("10.78.0.2"), 24));
                assertEquals(Errno.EEXIST, dup.errno());
                assertTrue(dup.getMessage().startsWith("RTM_NEWADDR on '10.78.0.2/24 dev va': EEXIST"), dup.getMessage());

                NativeException missing = assertThrows(NativeException.class, () -> nl.setMtu("nosuchdev0", 1400));
                assertEquals(Errno.ENODEV, missing.errno());
                assertTrue(missing.getMessage().contains("'nosuchdev0'"), missing.getMessage());

                // gateway not on any connected network, no onlink: the kernel refuses with a reason
                NativeException unreachable = assertThrows(NativeException.class, () -> nl.addRoute(
                        new Route(InetAddress.getByName("10.200.0.0"), 16, InetAddress.getByName("192.0.2.1"), "va", false)));
                assertEquals("RTM_NEWROUTE", unreachable.call());
                assertTrue(unreachable.getMessage().contains("10.200.0.0/16 via 192.0.2.1 dev va"), unreachable.getMessage());

                System.out.println(dup.getMessage());
                System.out.println(missing.getMessage());
                System.out.println(unreachable.getMessage());
                NativeException badDel = assertThrows(NativeException.class, () -> nl.deleteRoute(
                        new Route(InetAddress.getByName("10.201.0.0"), 16, null, "va", false)));
                assertEquals(Errno.ESRCH, badDel.errno());
                System.out.println(badDel.getMessage());
            }
            return null;
        });
    }

    @Test
    void vethPeerIsCreatedInsideAnotherNamespace() {
        String host = "psvh" + NetnsFixture.suffix();
        try (Netlink nl = Netlink.open()) {
            nl.createVethPair(host, "eth0", nsFd);
            try {
                assertTrue(nl.findLink(host).isPresent());
                int peerIndex = inNs(() -> {
                    try (Netlink inside = Netlink.open()) {
                        return inside.link("eth0").index();
                    }
                });
                assertTrue(peerIndex > 0);
                assertTrue(run("ip", "-n", ns, "link", "show", "eth0").contains("eth0@"));
            } finally {
                nl.deleteLink(host);
            }
            assertTrue(nl.findLink(host).isEmpty());
        }
    }

    @Test
    void netnsCallRunsInsideAndLeavesTheCallerAlone() throws Exception {
        String here = run("readlink", "/proc/self/ns/net").trim();
        String inside = inNs(() -> java.nio.file.Files.readSymbolicLink(
                java.nio.file.Path.of("/proc/thread-self/ns/net")).toString());
        String after = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString();
        assertFalse(inside.equals(after), "action ran in the caller's namespace");
        assertEquals(here, after);
        NativeException e = assertThrows(NativeException.class, () -> Netns.open("no-such-ns-" + ns));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/var/run/netns/no-such-ns-"), e.getMessage());
    }
}
