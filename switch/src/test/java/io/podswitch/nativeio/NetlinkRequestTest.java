package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class NetlinkRequestTest {
    @Test
    void attributesArePaddedAndLengthIsFilledIn() {
        try (Arena arena = Arena.ofConfined()) {
            NetlinkRequest r = new NetlinkRequest(arena.allocate(256));
            r.begin(NetlinkLayouts.RTM_SETLINK, NetlinkLayouts.NLM_F_REQUEST | NetlinkLayouts.NLM_F_ACK, 7);
            int ifi = r.struct(NetlinkLayouts.IFINFOMSG_SIZE);
            r.attrString(NetlinkLayouts.IFLA_IFNAME, "tap0"); // 4 + 5 bytes -> padded to 12
            r.attrInt(NetlinkLayouts.IFLA_MTU, 1400);
            int len = r.finish();
            MemorySegment b = r.buffer();
            assertEquals(16, ifi);
            assertEquals(16 + 16 + 12 + 8, len);
            assertEquals(len, b.get(JAVA_INT, 0));
            assertEquals(NetlinkLayouts.RTM_SETLINK, b.get(JAVA_SHORT, 4));
            assertEquals(5, b.get(JAVA_SHORT, 6));
            assertEquals(7, b.get(JAVA_INT, 8));
            assertEquals(9, b.get(JAVA_SHORT, 32)); // rta_len excludes padding
            assertEquals('t', b.get(JAVA_BYTE, 36));
            assertEquals(0, b.get(JAVA_BYTE, 40)); // NUL terminator
            assertEquals(8, b.get(JAVA_SHORT, 44));
            assertEquals(1400, b.get(JAVA_INT, 48));
        }
    }

    @Test
    void nestedAttributeCoversItsChildren() {
        try (Arena arena = Arena.ofConfined()) {
            NetlinkRequest r = new NetlinkRequest(arena.allocate(256));
            r.begin(NetlinkLayouts.RTM_NEWLINK, NetlinkLayouts.NLM_F_REQUEST, 1);
            int nest = r.beginNested(NetlinkLayouts.IFLA_LINKINFO);
            r.attrString(NetlinkLayouts.IFLA_INFO_KIND, "veth"); // 4 + 5 -> 12
            r.endNested(nest);
            r.finish();
            assertEquals(16, nest);
            assertEquals(4 + 12, r.buffer().get(JAVA_SHORT, nest));
            assertTrue((r.buffer().get(JAVA_SHORT, nest + 2) & NetlinkLayouts.NLA_F_NESTED) != 0);
        }
    }

    @Test
    void overflowIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            NetlinkRequest r = new NetlinkRequest(arena.allocate(32));
            r.begin(NetlinkLayouts.RTM_NEWLINK, NetlinkLayouts.NLM_F_REQUEST, 1);
            assertThrows(IllegalArgumentException.class, () -> r.attr(1, new byte[64]));
        }
    }

    @Test
    void interfaceNameTooLongIsRefusedBeforeAnyCall() {
        NativeException e = assertThrows(NativeException.class,
                () -> Ifreq.checkName("a-very-long-interface-name", "TUNSETIFF"));
        assertEquals("TUNSETIFF", e.call());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("TUNSETIFF on 'a-very-long-interface-name': EINVAL"), e.getMessage());
    }

    @Test
    void macFormatting() {
        assertEquals("02:00:00:aa:bb:0c", Netlink.formatMac(0x020000aabb0cL));
        byte[] b = Netlink.macBytes(0x020000aabb0cL);
        assertEquals(6, b.length);
        assertEquals((byte) 0x02, b[0]);
        assertEquals((byte) 0x0c, b[5]);
    }
}
