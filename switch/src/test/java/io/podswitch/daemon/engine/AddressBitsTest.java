package io.podswitch.daemon.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.daemon.ipam.IpAddresses;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressBitsTest {
    @Test
    void macRoundTrip() {
        assertEquals(0x0a58_0a01_0203L, AddressBits.parseMac("0a:58:0A:01:02:03"));
        assertEquals("0a:58:0a:01:02:03", AddressBits.formatMac(0x0a58_0a01_0203L));
        assertTrue(AddressBits.isMulticastMac(AddressBits.parseMac("01:00:5e:00:00:01")));
        for (String bad : new String[] {"", "0a:58:0a:01:02", "0a-58-0a-01-02-03", "0g:58:0a:01:02:03", "0a:58:0a:01:02:033"}) {
            assertThrows(IllegalArgumentException.class, () -> AddressBits.parseMac(bad), bad);
        }
    }

    @Test
    void addressesRoundTrip() {
        InetAddress v4 = IpAddresses.parse("10.244.1.5");
        assertEquals(0x0af4_0105, AddressBits.ip4(v4));
        assertEquals(v4, AddressBits.fromIp4(0x0af4_0105));
        InetAddress v6 = IpAddresses.parse("fd00:10:244:1::5");
        assertEquals(0xfd00_0010_0244_0001L, AddressBits.ip6High(v6));
        assertEquals(5L, AddressBits.ip6Low(v6));
        assertEquals(v6, AddressBits.fromIp6(AddressBits.ip6High(v6), AddressBits.ip6Low(v6)));
    }
}
