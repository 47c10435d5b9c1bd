package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq}, the argument of the interface ioctls (TUNSETIFF, TUNGETIFF, SIOCGIFINDEX).
 *
 * <pre>
 *  0                              16                                     40
 *  +------------------------------+--------------------------------------+
 *  | ifr_name[IFNAMSIZ = 16]      | union (24 bytes):                    |
 *  | NUL-terminated, max 15 chars |   short ifr_flags   (TUNSETIFF)      |
 *  |                              |   int   ifr_ifindex / ifr_mtu        |
 *  |                              |   struct sockaddr ifr_hwaddr (16)    |
 *  |                              |   ... (largest member: ifmap, 24)    |
 *  +------------------------------+--------------------------------------+
 * </pre>
 */
public final class Ifreq {
    public static final int IFNAMSIZ = 16;
    /** Longest interface name: IFNAMSIZ minus the terminating NUL. */
    public static final int MAX_NAME_BYTES = IFNAMSIZ - 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifr_flags"),
                    JAVA_INT.withName("ifr_ifindex"),
                    MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ifr_hwaddr"),
                    MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("ifr_map"))
                    .withName("ifr_ifru"))
            .withByteAlignment(8);
    public static final long SIZE = LAYOUT.byteSize();
    public static final long NAME = 0;
    public static final long FLAGS = LAYOUT.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_flags"));
    public static final long IFINDEX = LAYOUT.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_ifindex"));

    private Ifreq() {
    }

    /**
     * Checks an interface name the way the kernel would, before any call is made: the kernel silently
     * truncates a name of 16 bytes or more, which would act on the wrong interface.
     * @throws NativeException (EINVAL) naming {@code call} and the name
     */
    public static byte[] checkName(String name, String call) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new NativeException(call, name, Errno.EINVAL,
                    "interface names are at most " + MAX_NAME_BYTES + " bytes, this one has " + bytes.length);
        }
        for (byte b : bytes) {
            if (b == 0 || b == '/' || b == ':' || Character.isWhitespace(b)) {
                throw new NativeException(call, name, Errno.EINVAL,
                        "interface names may not contain NUL, '/', ':' or whitespace");
            }
        }
        return bytes;
    }

    /** A zeroed ifreq holding {@code name} (checked with {@link #checkName}). */
    public static MemorySegment allocate(Arena arena, String name, String call) {
        byte[] bytes = checkName(name, call);
        MemorySegment ifr = arena.allocate(LAYOUT);
        MemorySegment.copy(bytes, 0, ifr, JAVA_BYTE, NAME, bytes.length);
        return ifr;
    }

    public static String name(MemorySegment ifr) {
        return ifr.getString(NAME, StandardCharsets.UTF_8);
    }

    public static short flags(MemorySegment ifr) {
        return ifr.get(JAVA_SHORT, FLAGS);
    }

    public static void flags(MemorySegment ifr, short flags) {
        ifr.set(JAVA_SHORT, FLAGS, flags);
    }
}
