package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * BSD socket calls for the sockets the switch opens itself (netlink, AF_XDP, raw). Control-plane
 * entry points; each throws {@link NativeException} naming the call and the object.
 */
public final class Sockets {
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle SOCKET = Native.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Native.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Native.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Native.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Native.downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = Native.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Sockets() {
    }

    /** socket(2); the descriptor is close-on-exec. */
    public static int socket(int domain, int type, int protocol, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int fd = (int) SOCKET.invokeExact(errno, domain, type | SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw NativeException.of("socket", object, Native.errno(errno));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket " + object, t);
        }
    }

    public static void bind(int fd, MemorySegment address, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int rc = (int) BIND.invokeExact(errno, fd, address, (int) address.byteSize());
            if (rc < 0) {
                throw NativeException.of("bind", object, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("bind " + object, t);
        }
    }

    /** setsockopt(2) with an int value; {@code name} names the option in errors ("NETLINK_EXT_ACK"). */
    public static void setInt(int fd, int level, int option, int value, String name, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            int rc = (int) SETSOCKOPT.invokeExact(errno, fd, level, option, v, 4);
            if (rc < 0) {
                throw NativeException.of("setsockopt(" + name + ")", object, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt " + name, t);
        }
    }

    /** getsockopt(2) of an int option; {@code name} names the option in errors ("SO_RCVBUF"). */
    public static int getInt(int fd, int level, int option, String name, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 4);
            int rc = (int) GETSOCKOPT.invokeExact(errno, fd, level, option, v, length);
            if (rc < 0) {
                throw NativeException.of("getsockopt(" + name + ")", object, Native.errno(errno));
            }
            return v.get(JAVA_INT, 0);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("getsockopt " + name, t);
        }
    }

    /** SO_RCVTIMEO: a blocking receive gives up with EAGAIN after {@code millis}. */
    public static void setReceiveTimeout(int fd, long millis, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            // struct timeval { long tv_sec; long tv_usec; } — 16 bytes on x86-64
            MemorySegment tv = arena.allocate(16, 8);
            tv.set(JAVA_LONG, 0, millis / 1000);
            tv.set(JAVA_LONG, 8, (millis % 1000) * 1000);
            int rc = (int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
            if (rc < 0) {
                throw NativeException.of("setsockopt(SO_RCVTIMEO)", object, Native.errno(errno));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt SO_RCVTIMEO", t);
        }
    }

    /** sendto(2) of the first {@code length} bytes of {@code data}; returns bytes sent. */
    public static long sendTo(int fd, MemorySegment data, long length, MemorySegment address, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            for (;;) {
                long n = (long) SENDTO.invokeExact(errno, fd, data, length, 0, address, (int) address.byteSize());
                if (n >= 0) {
                    return n;
                }
                int e = Native.errno(errno);
                if (e != Errno.EINTR) {
                    throw NativeException.of("sendto", object, e);
                }
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sendto " + object, t);
        }
    }

    /** recv(2) into {@code buffer}; returns bytes received (blocking unless {@code flags} say not). */
    public static long receive(int fd, MemorySegment buffer, int flags, String object) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            for (;;) {
                long n = (long) RECV.invokeExact(errno, fd, buffer, buffer.byteSize(), flags);
                if (n >= 0) {
                    return n;
                }
                int e = Native.errno(errno);
                if (e != Errno.EINTR) {
                    throw NativeException.of("recv", object, e);
                }
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("recv " + object, t);
        }
    }
}
