package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RouteTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void describesItselfAsIpRouteWould() throws Exception {
        assertEquals("10.1.0.0/16 via 10.0.0.1 dev eth0", new Route(ip("10.1.0.0"), 16, ip("10.0.0.1"), "eth0", false).toString());
        assertEquals("0.0.0.0/0 via 169.254.1.1 dev eth0 onlink", Route.defaultVia(ip("169.254.1.1"), "eth0", true).toString());
        assertEquals("::/0 via fe80::1 dev eth0", Route.defaultVia(ip("fe80::1"), "eth0", false).toString());
    }

    @Test
    void refusesBadRoutesBeforeAskingTheKernel() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("10.1.2.0"), 16, null, "eth0", false));
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("10.1.0.0"), 33, null, "eth0", false));
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("10.1.0.0"), 16, ip("fd00::1"), "eth0", false));
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("10.1.0.0"), 16, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("10.1.0.0"), 16, ip("10.0.0.1"), null, true));
        assertThrows(IllegalArgumentException.class, () -> new Route(ip("fd00::1"), 64, null, "eth0", false));
        new Route(ip("fd00::"), 64, null, "eth0", false);
        new Route(ip("10.1.2.3"), 32, null, "eth0", false);
    }

    @Test
    void ipv6IsWrittenInTheShortForm() throws Exception {
        assertEquals("::", AddressText.of(ip("::")));
        assertEquals("fd00::1", AddressText.of(ip("fd00:0:0:0:0:0:0:1")));
        assertEquals("fd00:1::1:0:0:2", AddressText.of(ip("fd00:1:0:0:1:0:0:2")));
        assertEquals("1:2:3:4:5:6:7:8", AddressText.of(ip("1:2:3:4:5:6:7:8")));
        assertEquals("fd00:0:1::", AddressText.of(ip("fd00:0:1:0:0:0:0:0")));
        assertEquals("10.0.0.1", AddressText.of(ip("10.0.0.1")));
    }
}
