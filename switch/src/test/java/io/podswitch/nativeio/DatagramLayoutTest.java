package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * mmsghdr, msghdr, cmsghdr, sockaddr_in and sockaddr_in6 against the x86-64 glibc/kernel headers
 * (sizeof/offsetof: msghdr 56, mmsghdr 64 with msg_len at 56, cmsghdr 16, CMSG_SPACE(2) 24,
 * CMSG_LEN(2) 18, sockaddr_in 16, sockaddr_in6 28 with sin6_addr at 8).
 */
class DatagramLayoutTest {
    @Test
    void mmsghdr() {
        assertEquals(56, MsgHdr.MSGHDR.byteSize());
        assertEquals(64, MsgHdr.SIZE);
        assertEquals(0, MsgHdr.NAME);
        assertEquals(8, MsgHdr.NAMELEN);
        assertEquals(16, MsgHdr.IOV);
        assertEquals(24, MsgHdr.IOVLEN);
        assertEquals(32, MsgHdr.CONTROL);
        assertEquals(40, MsgHdr.CONTROLLEN);
        assertEquals(48, MsgHdr.FLAGS);
        assertEquals(56, MsgHdr.LEN);
    }

    @Test
    void cmsghdr() {
        assertEquals(16, MsgHdr.CMSG_HEADER);
        assertEquals(0, MsgHdr.CMSG_LEN);
        assertEquals(8, MsgHdr.CMSG_LEVEL);
        assertEquals(12, MsgHdr.CMSG_TYPE);
        assertEquals(18, MsgHdr.cmsgLen(2));
        assertEquals(24, MsgHdr.cmsgSpace(2));
        assertEquals(24, MsgHdr.cmsgSpace(8));
        assertEquals(32, MsgHdr.cmsgSpace(9));
    }

    @Test
    void sockaddrs() {
        assertEquals(16, SockAddr.IN_SIZE);
        assertEquals(28, SockAddr.IN6_SIZE);
        assertEquals(2, SockAddr.PORT);
        assertEquals(4, SockAddr.IN_ADDR);
        assertEquals(8, SockAddr.IN6_ADDR);
        assertEquals(16, SockAddr.size(Sockets.AF_INET));
        assertEquals(28, SockAddr.size(Sockets.AF_INET6));
    }

    @Test
    void writesAddressesInNetworkOrder() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(32);
            s.fill((byte) 0x55);
            SockAddr.write(s, InetAddress.getByName("192.0.2.7"), 4789);
            assertEquals(Sockets.AF_INET, s.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals(0x12, s.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals((byte) 0xb5, s.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals((byte) 192, s.get(ValueLayout.JAVA_BYTE, 4));
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, 7));
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 8), "sin_zero cleared");

            SockAddr.write(s, InetAddress.getByName("2001:db8::9"), 6081);
            assertEquals(Sockets.AF_INET6, s.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals(0x17, s.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals((byte) 0xc1, s.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 4), "flowinfo");
            assertEquals(0x20, s.get(ValueLayout.JAVA_BYTE, 8));
            assertEquals(9, s.get(ValueLayout.JAVA_BYTE, 23));
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 24), "scope id");
            assertThrows(IllegalArgumentException.class,
                    () -> SockAddr.write(s, InetAddress.getByName("192.0.2.7"), 70000));
        }
    }
}
