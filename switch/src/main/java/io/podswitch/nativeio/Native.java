package io.podswitch.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one door to native code: looks up libc functions and binds them with errno capture, so every
 * failing call can say which errno it got. Facility classes ({@code Tun}, {@code Netlink}, ...) keep
 * their own static {@link MethodHandle}s made here and turn failures into {@link NativeException}.
 *
 * <p>Usage pattern in a facility class:
 * <pre>{@code
 * private static final MethodHandle IOCTL = Native.downcall("ioctl",
 *         FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), true);
 * try (Arena a = Arena.ofConfined()) {
 *     MemorySegment errno = Native.errnoSegment(a);
 *     int rc = (int) IOCTL.invokeExact(errno, fd, request, arg);
 *     if (rc < 0) throw NativeException.of("TUNSETIFF", "tap0", Native.errno(errno));
 * }
 * }</pre>
 * Variadic functions ({@code ioctl}, {@code fcntl}, {@code open}) are bound with their fixed
 * arguments plus the first variadic one declared through {@link Linker.Option#firstVariadicArg}.
 */
public final class Native {
    public static final Linker LINKER = Linker.nativeLinker();
    public static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Native() {
    }

    /** Binds a libc function whose handle takes the errno capture segment as first argument. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** Binds a libc function that cannot fail with errno (no capture segment argument). */
    public static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    public static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** A segment to receive errno; allocate once per thread (or per call in control-plane code). */
    public static MemorySegment errnoSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    public static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;
}
