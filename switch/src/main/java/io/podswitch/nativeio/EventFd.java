package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An eventfd: a kernel counter used as a doorbell, e.g. the control thread waking a worker that
 * sleeps in {@link Epoll#wait}. Non-blocking and close-on-exec. {@link #signal} and {@link #drain}
 * are allocation free.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final MethodHandle EVENTFD = Native.downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final int fd;
    private final Arena arena;
    // The signalling side (any thread, serialized) and the draining side (the one waiting thread)
    // each have their own buffers, so they never race on them.
    private final MemorySegment signalErrno;
    private final MemorySegment signalValue;
    private final MemorySegment drainErrno;
    private final MemorySegment drainValue;

    private EventFd(int fd) {
        this.fd = fd;
        this.arena = Arena.ofShared();
        this.signalErrno = Native.errnoSegment(arena);
        this.signalValue = arena.allocate(JAVA_LONG);
        signalValue.set(JAVA_LONG, 0, 1L);
        this.drainErrno = Native.errnoSegment(arena);
        this.drainValue = arena.allocate(JAVA_LONG);
    }

    public static EventFd create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoSegment(a);
            int fd = (int) EVENTFD.invokeExact(err, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (fd < 0) {
                throw NativeException.of("eventfd", null, Native.errno(err));
            }
            return new EventFd(fd);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("eventfd", t);
        }
    }

    public int fd() {
        return fd;
    }

    /**
     * Adds one to the counter, making the descriptor readable; 0 or -errno. Callable from any thread,
     * lock and allocation free: the value buffer always holds 1, so concurrent signallers write the
     * same bytes, and only the error code of a failed call can be another caller's (each call's own
     * result is what it returns).
     */
    public long signal() {
        long n = Libc.write(signalErrno, fd, signalValue.address(), 8);
        return n < 0 ? n : 0;
    }

    /** Reads and clears the counter; returns it, or 0 when it was not signalled. One draining thread. */
    public long drain() {
        long n = Libc.read(drainErrno, fd, drainValue.address(), 8);
        return n == 8 ? drainValue.get(JAVA_LONG, 0) : 0;
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
