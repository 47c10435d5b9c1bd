package io.podswitch.port;

import io.podswitch.nativeio.EventFd;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Wakes a worker that sleeps while idle (the {@code adaptive} idle strategy): an eventfd in the
 * worker's epoll set and an "asleep" flag, so that ringing costs one volatile read while the worker is
 * awake and at most one eventfd write per sleep when it is not. Rung by whoever hands the worker work
 * that no descriptor announces: the control thread after queueing a command, another worker after
 * queueing frames for a port only this worker may transmit on ({@code SharedTransmitPort}).
 *
 * <pre>
 *   worker (sleeper)                            ringer (any thread)
 *   arm():  asleep = true          (volatile)   publish the work         (volatile write / CAS)
 *   look for work once more        (volatile)   ring(): if asleep        (volatile read)
 *   none: epoll_wait(...)                               and rung: false → true: eventfd write
 *   woken: drain the eventfd if epoll reported it; disarm(): asleep = false, rung = false
 * </pre>
 *
 * Volatile accesses are sequentially consistent, so either the ringer sees {@code asleep} and writes
 * the eventfd, or the sleeper's last look sees the work (Dekker): no wake-up is lost. A ring while
 * the worker is awake does nothing; a ring between {@code arm} and the last look at most makes the
 * next {@code epoll_wait} return at once.
 *
 * <p>The eventfd is opened by {@link #open} on the worker thread at start (a worker that never starts
 * or never sleeps holds no descriptor); {@link #ring} before that does nothing.
 */
public final class Doorbell implements AutoCloseable {
    private static final VarHandle RUNG;

    static {
        try {
            RUNG = MethodHandles.lookup().findVarHandle(Doorbell.class, "rung", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String owner;
    private volatile EventFd eventFd;
    private volatile boolean asleep;
    @SuppressWarnings("unused") // through RUNG
    private volatile int rung;

    /** @param owner what the doorbell wakes, for error messages ("podswitch-worker-0") */
    public Doorbell(String owner) {
        this.owner = owner;
    }

    /** Opens the eventfd (the sleeping thread, before its first sleep); idempotent. @return its descriptor */
    public int open() {
        EventFd fd = eventFd;
        if (fd == null) {
            fd = EventFd.create();
            eventFd = fd;
        }
        return fd.fd();
    }

    /** The eventfd, or -1 before {@link #open}. */
    public int fd() {
        EventFd fd = eventFd;
        return fd == null ? -1 : fd.fd();
    }

    /** Sleeper: from now on a ring writes the eventfd. Look for work once more before sleeping. */
    public void arm() {
        asleep = true;
    }

    /** Sleeper, after waking (or after finding work instead of sleeping): rings do nothing again. */
    public void disarm() {
        asleep = false;
        RUNG.setVolatile(this, 0);
    }

    /**
     * Sleeper, when epoll reported the eventfd readable: clears its counter (it is level-triggered:
     * left set, every later sleep would end at once). A ring that lands after this makes the next
     * sleep end at once, and that sleep drains it.
     */
    public void drain() {
        EventFd fd = eventFd;
        if (fd != null) {
            fd.drain();
        }
    }

    /** Any thread: wakes the owner whether armed or not (it is being stopped; it leaves a sleep at once). */
    public void wake() {
        EventFd fd = eventFd;
        if (fd != null) {
            fd.signal();
        }
    }

    /** Is the owner armed to sleep (or sleeping)? */
    public boolean armed() {
        return asleep;
    }

    /**
     * Any thread, after publishing work for the owner: wakes it if it sleeps. Lock and allocation
     * free; one eventfd write per sleep at most, however many threads ring.
     */
    public void ring() {
        if (asleep && RUNG.compareAndSet(this, 0, 1)) {
            EventFd fd = eventFd;
            if (fd != null) {
                fd.signal();
            }
        }
    }

    /**
     * Closes the eventfd (the owner's thread, as it stops: it no longer sleeps, so rings after this
     * find it awake and do nothing).
     */
    @Override
    public void close() {
        asleep = false;
        EventFd fd = eventFd;
        if (fd != null) {
            eventFd = null;
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "doorbell of " + owner;
    }
}
