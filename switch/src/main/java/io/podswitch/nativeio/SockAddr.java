package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * {@code struct sockaddr_in} and {@code struct sockaddr_in6}: the addresses {@code bind},
 * {@code sendmmsg} (destination) and {@code recvmmsg} (sender) take and fill. Port and address are in
 * network byte order; the family in host order.
 *
 * <pre>
 *  sockaddr_in (16)
 *  0        2        4                 8                          16
 *  +--------+--------+-----------------+--------------------------+
 *  | family | port   | IPv4 address    | zero (8)                 |
 *  | AF_INET| (BE)   | (BE)            |                          |
 *  +--------+--------+-----------------+--------------------------+
 *
 *  sockaddr_in6 (28)
 *  0        2        4                 8                                     24           28
 *  +--------+--------+-----------------+-------------------------------------+------------+
 *  | family | port   | flowinfo        | IPv6 address (16, BE)               | scope_id   |
 *  |AF_INET6| (BE)   |                 |                                     |            |
 *  +--------+--------+-----------------+-------------------------------------+------------+
 * </pre>
 * Data-path accessors read and write raw offsets into caller-owned arrays of these structs; the
 * control plane builds a segment from an {@link InetAddress} with {@link #write}.
 */
public final class SockAddr {
    public static final StructLayout IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            JAVA_SHORT.withName("sin_port"),
            JAVA_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));
    public static final StructLayout IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            JAVA_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id"));
    public static final int IN_SIZE = (int) IN.byteSize();
    public static final int IN6_SIZE = (int) IN6.byteSize();
    public static final long FAMILY = 0;
    /** Port, both families (network byte order). */
    public static final long PORT = IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_port"));
    public static final long IN_ADDR = IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_addr"));
    public static final long IN6_ADDR = IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_addr"));

    private SockAddr() {
    }

    /** Size of the sockaddr for a family ({@link Sockets#AF_INET} or {@link Sockets#AF_INET6}). */
    public static int size(int family) {
        return family == Sockets.AF_INET6 ? IN6_SIZE : IN_SIZE;
    }

    /** Fills {@code at} (at least {@link #size} bytes) with {@code address}:{@code port}, zeroing the rest. */
    public static void write(MemorySegment at, InetAddress address, int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " outside [0, 65535]");
        }
        byte[] a = address.getAddress();
        int family = address instanceof Inet6Address ? Sockets.AF_INET6 : Sockets.AF_INET;
        at.asSlice(0, size(family)).fill((byte) 0);
        at.set(JAVA_SHORT, FAMILY, (short) family);
        at.set(JAVA_BYTE, PORT, (byte) (port >>> 8));
        at.set(JAVA_BYTE, PORT + 1, (byte) port);
        MemorySegment.copy(a, 0, at, JAVA_BYTE, address instanceof Inet4Address ? IN_ADDR : IN6_ADDR, a.length);
    }
}
