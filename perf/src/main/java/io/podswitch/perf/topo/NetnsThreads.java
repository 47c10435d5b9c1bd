package io.podswitch.perf.topo;

import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs code inside a named network namespace on a dedicated platform thread: {@code setns(2)}
 * changes only the calling thread, so the thread enters the namespace first, and every socket it
 * opens belongs to that namespace for its whole life (even when used from other threads later).
 */
public final class NetnsThreads {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN = Native.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = Native.downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Native.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private NetnsThreads() {
    }

    /** Starts a daemon thread that enters {@code netns} and then runs {@code body}. */
    public static Thread start(String netns, String threadName, Runnable body) {
        return Thread.ofPlatform().daemon().name(threadName).start(() -> {
            enter(netns);
            body.run();
        });
    }

    /** Runs {@code body} inside {@code netns} on a fresh thread and returns its result. */
    public static <T> T call(String netns, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name("netns-" + netns).start(() -> {
            try {
                enter(netns);
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            t.join();
        }
    }

    /** Moves the calling thread into the named namespace (/var/run/netns/NAME). */
    static void enter(String netns) {
        if (!netns.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad namespace name '" + netns + "'");
        }
        String path = "/var/run/netns/" + netns;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw NativeException.of("open", path, Native.errno(errno));
            }
            int rc = (int) SETNS.invokeExact(errno, fd, CLONE_NEWNET);
            int setnsErrno = Native.errno(errno);
            int closed = (int) CLOSE.invokeExact(errno, fd); // a failed close of a read-only fd loses nothing
            if (rc < 0) {
                throw NativeException.of("setns", path, setnsErrno);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed entering " + netns, t);
        }
    }
}
