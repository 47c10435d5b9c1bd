package io.podswitch.config.cidr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrEdgeCasesTest {

    @Test
    void slashZeroContainsEveryAddressOfItsFamilyOnly() {
        Cidr all4 = Cidr.parse("0.0.0.0/0");
        Cidr all6 = Cidr.parse("::/0");
        assertTrue(all4.contains(IpAddress.parse("255.255.255.255")));
        assertTrue(all4.contains(IpAddress.parse("0.0.0.0")));
        assertFalse(all4.contains(IpAddress.parse("::1")));
        assertTrue(all6.contains(IpAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(all6.contains(IpAddress.parse("10.0.0.1")));
        assertFalse(all4.overlaps(all6));
        assertEquals("255.255.255.255", all4.lastAddress().toString());
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", all6.lastAddress().toString());
        assertEquals(Long.MAX_VALUE, all6.subnetCount(64));
        assertEquals(1L << 32, all4.subnetCount(32));
    }

    @Test
    void hostPrefixesHoldOneAddress() {
        Cidr host4 = Cidr.parse("10.1.2.3/32");
        Cidr host6 = Cidr.parse("2001:db8::1/128");
        assertTrue(host4.contains(IpAddress.parse("10.1.2.3")));
        assertFalse(host4.contains(IpAddress.parse("10.1.2.4")));
        assertEquals(host4.network(), host4.lastAddress());
        assertTrue(host6.contains(IpAddress.parse("2001:db8::1")));
        assertFalse(host6.contains(IpAddress.parse("2001:db8::2")));
        assertEquals(host6, host6.subnet(128, 0));
        assertEquals(0, host6.subnetIndexOf(host6));
    }

    @Test
    void unspecifiedAddressIsDoubleColon() {
        Ip6Address zero = (Ip6Address) IpAddress.parse("::");
        assertEquals(new Ip6Address(0, 0), zero);
        assertEquals("::", zero.toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("::/128", Cidr.parse("0:0:0:0:0:0:0:0/128").toString());
    }

    @ParameterizedTest
    @CsvSource({
            "::1, ::1",
            "1::, 1::",
            "2001:DB8::1, 2001:db8::1",
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
            "fe80::1:2, fe80::1:2",
            "::10.1.2.3, ::a01:203",
    })
    void ipv6IsFormattedPerRfc5952(String input, String canonical) {
        assertEquals(canonical, IpAddress.parse(input).toString());
    }

    @Test
    void ipv4MappedAddressesStayIpv6AndShowTheirIpv4() {
        Ip6Address mapped = (Ip6Address) IpAddress.parse("::ffff:10.1.2.3");
        assertEquals(IpFamily.IPV6, mapped.family());
        assertTrue(mapped.isIpv4Mapped());
        assertEquals(Ip4Address.parse("10.1.2.3"), mapped.embeddedIpv4());
        assertEquals("::ffff:10.1.2.3", mapped.toString());
        assertEquals(mapped, IpAddress.parse("::FFFF:0a01:0203"));
        assertEquals(mapped, Ip4Address.parse("10.1.2.3").toIpv4Mapped());
        assertFalse(Cidr.parse("10.0.0.0/8").contains(mapped));
        assertTrue(Cidr.parse("::ffff:0:0/96").contains(mapped));
        assertFalse(((Ip6Address) IpAddress.parse("::1")).isIpv4Mapped());
        assertThrows(IllegalStateException.class, () -> ((Ip6Address) IpAddress.parse("::1")).embeddedIpv4());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fe80::1%eth0", "fe80::1%25eth0", "fe80::%1/64"})
    void zoneIdsAreRejected(String text) {
        IpFormatException e = assertThrows(IpFormatException.class,
                () -> {
                    if (text.contains("/")) {
                        Cidr.parse(text);
                    } else {
                        IpAddress.parse(text);
                    }
                });
        assertTrue(e.getMessage().contains("zone id"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"010.0.0.1", "10.0.0.01", "10.00.0.1", "::ffff:10.0.0.01"})
    void leadingZerosInIpv4AreRejected(String text) {
        IpFormatException e = assertThrows(IpFormatException.class, () -> IpAddress.parse(text));
        assertTrue(e.getMessage().contains("leading zero"), e.getMessage());
    }

    @Test
    void leadingZerosInPrefixLengthsAreRejectedButIpv6GroupsMayHaveThem() {
        assertThrows(IpFormatException.class, () -> Cidr.parse("10.0.0.0/08"));
        assertEquals("1::", IpAddress.parse("0001::").toString());
        assertEquals("0.0.0.0", IpAddress.parse("0.0.0.0").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.0", "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":1::", "1::2:", ":::", "12345::", "g::", "1.2.3.4::",
            "::1.2.3.4:5", "1:2:3:4:5:6:7::1.2.3.4", "::1.2.3"})
    void malformedAddressesAreRejected(String text) {
        assertThrows(IpFormatException.class, () -> IpAddress.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/x",
            "/8", "fd00::"})
    void malformedCidrsAreRejected(String text) {
        assertThrows(IpFormatException.class, () -> Cidr.parse(text));
    }

    @Test
    void hostBitsAreReportedWithTheIntendedNetwork() {
        IpFormatException e = assertThrows(IpFormatException.class, () -> Cidr.parse("10.244.1.5/16"));
        assertEquals("10.244.1.5/16 has host bits set; the network is 10.244.0.0/16", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cidr(IpAddress.parse("fd00::1"), 64));
        assertEquals(Cidr.parse("fd00::/64"), Cidr.masked(IpAddress.parse("fd00::1"), 64));
    }

    @Test
    void splittingCountsFromTheStartOfTheRange() {
        Cidr pods = Cidr.parse("10.244.0.0/16");
        assertEquals(Cidr.parse("10.244.0.0/24"), pods.subnet(24, 0));
        assertEquals(Cidr.parse("10.244.255.0/24"), pods.subnet(24, 255));
        assertEquals(255, pods.subnetIndexOf(Cidr.parse("10.244.255.0/24")));
        assertThrows(IllegalArgumentException.class, () -> pods.subnet(24, 256));
        assertThrows(IllegalArgumentException.class, () -> pods.subnet(15, 0));
        assertThrows(IllegalArgumentException.class, () -> pods.subnetIndexOf(Cidr.parse("10.245.0.0/24")));
        Cidr pods6 = Cidr.parse("fd00:10:244::/56");
        assertEquals(Cidr.parse("fd00:10:244:ff::/64"), pods6.subnet(64, 255));
        // A split whose index straddles the two longs: /60 into /68.
        Cidr wide = Cidr.parse("fd00::/60");
        assertEquals(Cidr.parse("fd00:0:0:f:f000::/68"), wide.subnet(68, 255));
        assertEquals(255, wide.subnetIndexOf(Cidr.parse("fd00:0:0:f:f000::/68")));
    }

    @Test
    void rawValuesAreExposedForTheSwitch() {
        assertEquals(0xC0A80102, Ip4Address.parse("192.168.1.2").value());
        assertEquals(0xC0A80102L, Ip4Address.parse("192.168.1.2").unsignedValue());
        Ip6Address v6 = Ip6Address.parse("2001:db8::1");
        assertEquals(0x20010db800000000L, v6.high());
        assertEquals(1L, v6.low());
        assertEquals(0x2001, v6.group(0));
        assertEquals(1, v6.group(7));
        assertEquals(Ip4Address.of(192, 168, 1, 2), IpAddress.parse("192.168.1.2"));
    }
}
