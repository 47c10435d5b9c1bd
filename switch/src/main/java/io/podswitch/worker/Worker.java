package io.podswitch.worker;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Sched;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.ring.ThreadRing;
import io.podswitch.stats.CounterSource;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A poll-mode worker: an Agrona {@link Agent} that owns some RX queues, a frame cache and a packet
 * processor, and runs them on one thread.
 *
 * <p>Duty cycle ({@link #doWork}): for each owned (port, queue) receive a burst into the one reused
 * {@link PacketVector} and hand it to {@link PacketProcessor#process}; after all queues
 * {@link PacketProcessor#flush}. Every {@code tickCycles} cycles or {@code tickIntervalNs} by the
 * cached clock, whichever comes first, the slow tick: apply at most {@code commandsPerTick} control
 * commands, {@link PacketProcessor#tick}, report a quiescent state to {@link Qsbr}, publish counters.
 * Nothing in the cycle allocates, locks, logs or throws.
 *
 * <p>Threads: everything but {@link #commands()}, {@link #visit} and the counter getters belongs to
 * the worker thread (or to the constructing thread before the worker starts). The RX table changes
 * only through commands ({@link RxQueueCommand}) once the worker runs.
 */
public final class Worker implements Agent, CounterSource {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final String[] COUNTER_NAMES = {
        "cycles", "work", "rx_packets", "tx_packets", "ticks", "commands", "rx_queues", "max_cycle_ns",
        "busy_cycles", "sleeps", "slept_ns", "doorbell_wakeups", "empty_polls", "ready_polls",
    };
    private static final int CYCLES = 0;
    private static final int WORK = 1;
    private static final int RX_PACKETS = 2;
    private static final int TX_PACKETS = 3;
    private static final int TICKS = 4;
    private static final int COMMANDS = 5;
    private static final int RX_QUEUES = 6;
    private static final int MAX_CYCLE_NS = 7;
    private static final int BUSY_CYCLES = 8;
    private static final int SLEEPS = 9;
    private static final int SLEPT_NS = 10;
    private static final int DOORBELL_WAKEUPS = 11;
    private static final int EMPTY_POLLS = 12;
    private static final int READY_POLLS = 13;
    private static final int STALLS = 14;
    /** The adaptive idle strategy's longest sleep while a polled queue has no readiness descriptor (memory ports): like backoff's longest park. */
    static final int UNWATCHED_SLEEP_MS = 1;

    private final int id;
    private final String roleName;
    private final WorkerConfig config;
    private final FrameCache cache;
    private final PacketProcessor processor;
    private final Qsbr qsbr;
    private final NanoClock clock;
    private final CommandQueue commands;
    private final PacketVector burst;
    private final DutyCycleTracker dutyCycle = new DutyCycleTracker();
    /** What wakes the worker from the adaptive idle strategy's sleep; null for the other strategies. */
    private final RxReadiness readiness;
    /** The worker thread's io_uring for TAP I/O (worker thread only); null: plain system calls. */
    private ThreadRing ring;
    /** Why the worker runs without a ring although its config asks for one (null: it has one, or was not asked). */
    private volatile String ringRefused;
    /** How the worker does its TAP I/O, set as it starts ({@link #tapIo}). */
    private volatile String tapIo;

    private final Port[] rxPorts;
    private final int[] rxQueues;
    /**
     * Received only when the epoll set reports the queue ready ({@link RxReadiness#gate}), not polled
     * every cycle: TAP queues read with {@code read}, under the adaptive idle strategy.
     */
    private final boolean[] rxGated;
    private int rxCount;
    private int gatedCount;

    private long nowNs;
    private long lastTickNs;
    private int cyclesSinceTick;
    private long cycles;
    private long work;
    private long rxPackets;
    private long txPackets;
    private long ticks;
    private long commandsApplied;
    private long sleeps;
    private long sleptNs;
    private long doorbellWakeups;
    /** Receive calls that found nothing (each a system call on a TAP). */
    private long emptyPolls;
    /** {@code epoll_wait(0)} looks at the gated queues. */
    private long readyPolls;
    /** Set by {@link #prepareToStop}: the worker no longer sleeps, so its runner can stop it. */
    private volatile boolean stopping;

    /** Counter values as of the last slow tick; written by the worker (release), read by stats (acquire). */
    private final long[] published = new long[STALLS + DutyCycleTracker.THRESHOLDS_NS.length];
    private final String[] counterNames;

    public Worker(int id, WorkerConfig config, FramePool pool, PacketProcessor processor, Qsbr qsbr) {
        this(id, config, pool, processor, qsbr, new SystemNanoClock());
    }

    public Worker(int id, WorkerConfig config, FramePool pool, PacketProcessor processor, Qsbr qsbr,
                  NanoClock clock) {
        if (id < 0 || id >= qsbr.maxWorkers()) {
            throw new IllegalArgumentException("worker id " + id + " outside the QSBR's [0, " + qsbr.maxWorkers() + ")");
        }
        this.id = id;
        this.roleName = "podswitch-worker-" + id;
        this.config = config;
        this.cache = new FrameCache(pool, config.cacheCapacity());
        this.processor = processor;
        this.qsbr = qsbr;
        this.clock = clock;
        this.readiness = IdleStrategies.parse(config.idleStrategy()).kind().equals("adaptive")
                ? new RxReadiness(roleName, config.maxRxQueues()) : null;
        this.commands = new CommandQueue(config.commandQueueCapacity(), readiness == null ? null : readiness.doorbell());
        this.burst = new PacketVector(config.burstSize());
        this.rxPorts = new Port[config.maxRxQueues()];
        this.rxQueues = new int[config.maxRxQueues()];
        this.rxGated = new boolean[config.maxRxQueues()];
        this.counterNames = new String[published.length];
        for (int i = 0; i < COUNTER_NAMES.length; i++) {
            counterNames[i] = "worker." + id + "." + COUNTER_NAMES[i];
        }
        for (int i = 0; i < DutyCycleTracker.THRESHOLD_NAMES.length; i++) {
            counterNames[STALLS + i] = "worker." + id + ".stalls_over_" + DutyCycleTracker.THRESHOLD_NAMES[i];
        }
    }

    public int id() {
        return id;
    }

    public WorkerConfig config() {
        return config;
    }

    /** A fresh idle strategy of this worker's config for its thread ({@code adaptive} sleeps on its queues). */
    public IdleStrategy newIdleStrategy() {
        return IdleStrategies.create(config.idleStrategy(), this);
    }

    /** The control side's way in: offer commands here (returns false when full, never blocks; wakes a sleeping worker). */
    public CommandQueue commands() {
        return commands;
    }

    /** The worker's frame cache (worker thread only). */
    public FrameCache cache() {
        return cache;
    }

    public PacketProcessor processor() {
        return processor;
    }

    /** The cached clock of the current duty cycle (worker thread only). */
    public long nowNs() {
        return nowNs;
    }

    /**
     * Starts polling {@code queue} of {@code port}. Worker thread (via {@link RxQueueCommand}) or
     * before the worker starts. @return false when the table is full or the pair is already polled
     */
    public boolean addRxQueue(Port port, int queue) {
        if (rxCount == rxPorts.length || indexOf(port, queue) >= 0 || queue < 0 || queue >= port.queueCount()) {
            return false;
        }
        rxPorts[rxCount] = port;
        rxQueues[rxCount] = queue;
        rxGated[rxCount] = false;
        rxCount++;
        if (readiness != null) {
            readiness.watch(port, queue);
        }
        if (ring != null) {
            port.ringAttached(queue, ring);
        }
        gate(rxCount - 1);
        return true;
    }

    /** Stops polling the pair (order of the others is kept). @return false when it was not polled */
    public boolean removeRxQueue(Port port, int queue) {
        int i = indexOf(port, queue);
        if (i < 0) {
            return false;
        }
        if (ring != null) {
            port.ringDetached(queue, ring);
        }
        if (rxGated[i]) {
            gatedCount--;
        }
        System.arraycopy(rxPorts, i + 1, rxPorts, i, rxCount - i - 1);
        System.arraycopy(rxQueues, i + 1, rxQueues, i, rxCount - i - 1);
        System.arraycopy(rxGated, i + 1, rxGated, i, rxCount - i - 1);
        rxCount--;
        rxPorts[rxCount] = null;
        rxGated[rxCount] = false;
        if (readiness != null) {
            readiness.unwatch(port, queue);
        }
        return true;
    }

    /** Settles whether the {@code i}-th queue is gated (after its readiness registration and ring). */
    private void gate(int i) {
        boolean g = readiness != null && readiness.gate(rxPorts[i], rxQueues[i]);
        if (g != rxGated[i]) {
            rxGated[i] = g;
            gatedCount += g ? 1 : -1;
        }
    }

    /** How many of the worker's queues are gated (tests, diagnostics; worker thread or before start). */
    int gatedQueueCount() {
        return gatedCount;
    }

    private int indexOf(Port port, int queue) {
        for (int i = 0; i < rxCount; i++) {
            if (rxPorts[i] == port && rxQueues[i] == queue) {
                return i;
            }
        }
        return -1;
    }

    public int rxQueueCount() {
        return rxCount;
    }

    @Override
    public void onStart() {
        if (config.cpu() >= 0) {
            Sched.pinCurrentThread(config.cpu());
        }
        nowNs = clock.nanoTime();
        lastTickNs = nowNs;
        qsbr.online(id);
        dutyCycle.reset();
        if (readiness != null) {
            readiness.open(rxPorts, rxQueues, rxCount);
        }
        if (config.ioUring()) {
            openRing();
        }
        for (int i = 0; i < rxCount; i++) {
            gate(i);
        }
        tapIo = ring != null ? "io_uring"
                : "read/write system calls" + (ringRefused != null ? " (io_uring refused: " + ringRefused + ")" : "");
    }

    /** "io_uring", or "read/write system calls" with why; null until the worker has started. Any thread. */
    public String tapIo() {
        return tapIo;
    }

    /** Opens the thread's ring and arms the reads of the queues already owned; without one, plain system calls. */
    private void openRing() {
        try {
            ring = ThreadRing.open(cache);
        } catch (NativeException | IllegalStateException e) {
            // The kernel refuses io_uring (sysctl, seccomp, too old), or a test drives two workers on one thread.
            ringRefused = e.getMessage();
            return;
        }
        for (int i = 0; i < rxCount; i++) {
            rxPorts[i].ringAttached(rxQueues[i], ring);
        }
    }

    /** Does the worker thread do its TAP I/O through io_uring? (null: yes, or not asked to) Any thread. */
    public String ringRefused() {
        return ringRefused;
    }

    /** The worker's ring, or null (worker thread; tests). */
    ThreadRing ring() {
        return ring;
    }

    @Override
    public int doWork() {
        long now = clock.nanoTime();
        nowNs = now;
        dutyCycle.cycleStart(now);
        cycles++;

        ThreadRing r = ring;
        if (r != null) {
            r.poll(); // reads that completed since the last cycle go to their queues
        }
        int received = 0;
        PacketVector vector = burst;
        for (int i = 0; i < rxCount; i++) {
            if (rxGated[i]) {
                continue;
            }
            vector.clear();
            int n = rxPorts[i].receive(rxQueues[i], vector, cache);
            if (n > 0) {
                received += n;
                processor.process(vector, cache);
            } else {
                emptyPolls++;
            }
        }
        if (gatedCount > 0) {
            received += receiveReady(vector);
        }
        int sent = processor.flush(cache);
        rxPackets += received;
        txPackets += sent;
        int done = received + sent;

        if (++cyclesSinceTick >= config.tickCycles() || now - lastTickNs >= config.tickIntervalNs()) {
            done += slowTick(now);
        }
        work += done;
        dutyCycle.cycleEnd(done > 0);
        return done;
    }

    /** Receives the gated queues that the epoll set reports ready (one {@code epoll_wait(0)}). */
    private int receiveReady(PacketVector vector) {
        RxReadiness r = readiness;
        int ready = r.pollReady();
        readyPolls++;
        int received = 0;
        for (int e = 0; e < ready; e++) {
            Port port = r.readyPort(e);
            if (port == null) {
                continue;
            }
            vector.clear();
            int n = port.receive(r.readyQueue(e), vector, cache);
            if (n > 0) {
                received += n;
                processor.process(vector, cache);
            } else {
                emptyPolls++;
            }
        }
        return received;
    }

    private int slowTick(long now) {
        cyclesSinceTick = 0;
        lastTickNs = now;
        ticks++;
        int applied = commands.drain(this, config.commandsPerTick());
        commandsApplied += applied;
        processor.tick(now);
        if (ring != null) {
            ring.refill();
        }
        qsbr.quiescent(id);
        publishCounters();
        return applied;
    }

    /**
     * Any thread, before the worker's runner is closed: a worker sleeping in {@code epoll_wait} (which
     * a thread interrupt does not end) is woken and sleeps no more, so it sees the runner stop.
     */
    public void prepareToStop() {
        stopping = true;
        if (readiness != null) {
            readiness.doorbell().wake();
        }
    }

    /** Is the worker armed to sleep or sleeping (adaptive idling)? Any thread; for tests and diagnostics. */
    boolean sleeping() {
        return readiness != null && readiness.doorbell().armed();
    }

    /** Is the worker being stopped (adaptive idling then only spins)? */
    boolean stopping() {
        return stopping;
    }

    /** Adaptive idling: the spin window passed; from now on a ring wakes this worker (one more cycle follows). */
    void armSleep() {
        readiness.arm();
    }

    /** Adaptive idling: the armed cycle found work after all. */
    void disarmSleep() {
        readiness.disarm();
    }

    /**
     * Adaptive idling, after a whole armed duty cycle found nothing: sleeps in {@code epoll_wait} until
     * a polled queue has packets, the doorbell rings (a command, frames from another worker) or
     * {@code maxSleepMillis} pass (1 ms while a polled queue has no readiness descriptor). QSBR-offline meanwhile (the worker holds no table reference, as in a slow
     * tick), so grace periods do not wait for it; counters are published first, so a sleeping worker's
     * are current. After waking: the slow tick if one is due or commands wait, with a fresh clock.
     */
    void sleep(int maxSleepMillis) {
        if (commands.size() > 0) {
            readiness.disarm();
            slowTick(clock.nanoTime());
            return;
        }
        sleeps++;
        publishCounters();
        qsbr.offline(id);
        long start = clock.nanoTime();
        boolean rang = readiness.await(readiness.hasUnwatchable() ? Math.min(UNWATCHED_SLEEP_MS, maxSleepMillis) : maxSleepMillis);
        qsbr.online(id);
        long now = clock.nanoTime();
        nowNs = now;
        sleptNs += now - start;
        if (rang) {
            doorbellWakeups++;
        }
        if (rang || now - lastTickNs >= config.tickIntervalNs()) {
            slowTick(now);
        }
    }

    private void publishCounters() {
        long[] p = published;
        LONGS.setRelease(p, CYCLES, cycles);
        LONGS.setRelease(p, WORK, work);
        LONGS.setRelease(p, RX_PACKETS, rxPackets);
        LONGS.setRelease(p, TX_PACKETS, txPackets);
        LONGS.setRelease(p, TICKS, ticks);
        LONGS.setRelease(p, COMMANDS, commandsApplied);
        LONGS.setRelease(p, RX_QUEUES, (long) rxCount);
        LONGS.setRelease(p, MAX_CYCLE_NS, dutyCycle.maxCycleNs());
        LONGS.setRelease(p, BUSY_CYCLES, dutyCycle.measuredCycles());
        LONGS.setRelease(p, SLEEPS, sleeps);
        LONGS.setRelease(p, SLEPT_NS, sleptNs);
        LONGS.setRelease(p, DOORBELL_WAKEUPS, doorbellWakeups);
        LONGS.setRelease(p, EMPTY_POLLS, emptyPolls);
        LONGS.setRelease(p, READY_POLLS, readyPolls);
        for (int i = 0; i < DutyCycleTracker.THRESHOLDS_NS.length; i++) {
            LONGS.setRelease(p, STALLS + i, dutyCycle.cyclesOver(i));
        }
    }

    /**
     * On the worker thread as it stops: transmit what the processor buffered, give every cached
     * frame back to the pool, and go offline so the worker no longer holds up grace periods.
     */
    @Override
    public void onClose() {
        processor.flush(cache);
        if (ring != null) {
            for (int i = 0; i < rxCount; i++) {
                rxPorts[i].ringDetached(rxQueues[i], ring);
            }
            ring.close();
            ring = null;
        }
        cache.freeAll(burst);
        cache.flush();
        publishCounters();
        qsbr.offline(id);
        if (readiness != null) {
            readiness.close();
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /** Publishes this worker's counters as of its last slow tick (any thread). */
    @Override
    public void visit(CounterVisitor visitor) {
        for (int i = 0; i < published.length; i++) {
            visitor.counter(counterNames[i], (long) LONGS.getAcquire(published, i));
        }
    }

    public long publishedRxPackets() {
        return (long) LONGS.getAcquire(published, RX_PACKETS);
    }

    public long publishedTxPackets() {
        return (long) LONGS.getAcquire(published, TX_PACKETS);
    }

    public long publishedCycles() {
        return (long) LONGS.getAcquire(published, CYCLES);
    }

    public long publishedTicks() {
        return (long) LONGS.getAcquire(published, TICKS);
    }

    public long publishedCommands() {
        return (long) LONGS.getAcquire(published, COMMANDS);
    }

    /** Times the worker slept in the adaptive idle strategy, as of its last publish. */
    public long publishedSleeps() {
        return (long) LONGS.getAcquire(published, SLEEPS);
    }

    public long publishedMaxCycleNs() {
        return (long) LONGS.getAcquire(published, MAX_CYCLE_NS);
    }
}
