package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Network namespaces: open one ({@code /var/run/netns/NAME} as made by {@code ip netns add}, or
 * {@code /proc/PID/ns/net}), and run control-plane work inside it.
 *
 * <p>{@code setns(2)} changes the namespace of the calling <em>thread</em> only. A JVM thread pool, or a
 * virtual thread that may hop between carriers, must never be switched: other code would then run in
 * the wrong namespace. {@link #call} therefore starts a fresh platform thread, switches it, runs the
 * action, switches it back and lets it end. Sockets and netlink handles opened inside stay bound to
 * that namespace after the thread is gone; a TAP opened inside keeps working from any thread.
 */
public final class Netns {
    public static final String NAMED_DIR = "/var/run/netns/";
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle SETNS = Native.downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Netns() {
    }

    /** Opens the named namespace {@code /var/run/netns/NAME}; the caller closes the fd. */
    public static int open(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new NativeException("open netns", name, Errno.EINVAL, "a namespace name is one path element");
        }
        return Libc.open(NAMED_DIR + name, Libc.O_RDONLY);
    }

    /** Opens the network namespace of process {@code pid}. */
    public static int openOfPid(int pid) {
        return Libc.open("/proc/" + pid + "/ns/net", Libc.O_RDONLY);
    }

    /** Opens the network namespace the calling thread is in now. */
    public static int openCurrent() {
        return Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY);
    }

    /**
     * Switches the calling platform thread into the namespace {@code netnsFd}. Prefer {@link #call};
     * use this only on a thread you own and will switch back or end.
     */
    public static void enter(int netnsFd, String object) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("setns on a virtual thread would move its carrier thread: "
                    + "use Netns.call, which runs on a dedicated platform thread");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int rc = (int) SETNS.invokeExact(errno, netnsFd, CLONE_NEWNET);
            if (rc < 0) {
                throw NativeException.of("setns(CLONE_NEWNET)", object, Native.errno(errno));
            }
        } catch (NativeException | IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns " + object, t);
        }
    }

    /** Runs {@code action} inside the named namespace (see {@link #call(int, String, Callable)}). */
    public static <T> T call(String name, Callable<T> action) {
        int fd = open(name);
        try {
            return call(fd, name, action);
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * Runs {@code action} on a new platform thread that is inside the namespace {@code netnsFd}, waits
     * for it and returns its result; the calling thread's namespace is never touched. An exception
     * from the action is rethrown here (a checked one wrapped in IllegalStateException).
     *
     * @param label names the namespace in errors and in the thread's name
     */
    public static <T> T call(int netnsFd, String label, Callable<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("netns-" + label).unstarted(() -> {
            int original = -1;
            try {
                original = openCurrent();
                enter(netnsFd, label);
                try {
                    result.set(action.call());
                } finally {
                    enter(original, "original netns");
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                Libc.close(original);
            }
        });
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("in netns " + label + ": " + t.getMessage(), t);
        }
        return result.get();
    }

    /** {@link #call} for an action without a result. */
    public static void run(int netnsFd, String label, Runnable action) {
        call(netnsFd, label, () -> {
            action.run();
            return null;
        });
    }
}
