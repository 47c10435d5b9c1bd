package io.podswitch.worker;

/**
 * How a worker runs. Defaults suit a shared node: bursts of 256, slow tick every 1024 cycles or
 * 1 ms (whichever comes first), 64 commands per tick, adaptive idling, no CPU pinning.
 *
 * @param burstSize most packets taken from one RX queue per receive (1..4096)
 * @param maxRxQueues most (port, queue) pairs one worker can poll; the table is sized once
 * @param tickCycles run the slow tick at least every this many duty cycles
 * @param tickIntervalNs ... and at least this often by the cached clock (matters when idle)
 * @param commandsPerTick most control commands applied per slow tick (bounds the tick's length)
 * @param commandQueueCapacity control→worker queue slots (a full queue refuses, never blocks)
 * @param cacheCapacity frames in the worker's private {@code FrameCache}
 * @param cpu CPU to pin the worker thread to, or -1 for none
 * @param idleStrategy {@link IdleStrategies} spec: adaptive[:spinNs], spin, backoff, yield, sleep[:ns], noop
 * @param ioUring give the worker thread an io_uring ({@link io.podswitch.port.ring.ThreadRing}) for its
 *        TAP reads and writes; when the kernel refuses one the worker uses plain system calls
 */
public record WorkerConfig(int burstSize, int maxRxQueues, int tickCycles, long tickIntervalNs,
                           int commandsPerTick, int commandQueueCapacity, int cacheCapacity, int cpu,
                           String idleStrategy, boolean ioUring) {
    public static final int DEFAULT_BURST = 256;
    /** Workers use plain read/write system calls for TAP I/O unless told otherwise ({@code --tap-io uring}: opt-in). */
    public static final boolean DEFAULT_IO_URING = false;

    /** A config with the default I/O ({@link #DEFAULT_IO_URING}). */
    public WorkerConfig(int burstSize, int maxRxQueues, int tickCycles, long tickIntervalNs, int commandsPerTick,
                        int commandQueueCapacity, int cacheCapacity, int cpu, String idleStrategy) {
        this(burstSize, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick, commandQueueCapacity, cacheCapacity,
                cpu, idleStrategy, DEFAULT_IO_URING);
    }

    public WorkerConfig {
        require(burstSize >= 1 && burstSize <= 4096, "burstSize must be in [1, 4096]: " + burstSize);
        require(maxRxQueues >= 1, "maxRxQueues must be positive: " + maxRxQueues);
        require(tickCycles >= 1, "tickCycles must be positive: " + tickCycles);
        require(tickIntervalNs >= 1, "tickIntervalNs must be positive: " + tickIntervalNs);
        require(commandsPerTick >= 1, "commandsPerTick must be positive: " + commandsPerTick);
        require(commandQueueCapacity >= 2, "commandQueueCapacity must be at least 2: " + commandQueueCapacity);
        require(cacheCapacity >= 2 * burstSize,
                "cacheCapacity must hold two bursts (" + 2 * burstSize + "): " + cacheCapacity);
        require(cpu >= -1, "cpu must be -1 (unpinned) or a CPU number: " + cpu);
        IdleStrategies.parse(idleStrategy); // fail here, on the control thread, not at start
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static WorkerConfig defaults() {
        return new WorkerConfig(DEFAULT_BURST, 64, 1024, 1_000_000L, 64, 1024, 1024, -1, IdleStrategies.DEFAULT);
    }

    public WorkerConfig withBurstSize(int burst) {
        return new WorkerConfig(burst, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick,
                commandQueueCapacity, Math.max(cacheCapacity, 2 * burst), cpu, idleStrategy, ioUring);
    }

    public WorkerConfig withTick(int cycles, long intervalNs) {
        return new WorkerConfig(burstSize, maxRxQueues, cycles, intervalNs, commandsPerTick,
                commandQueueCapacity, cacheCapacity, cpu, idleStrategy, ioUring);
    }

    public WorkerConfig withCommands(int perTick, int queueCapacity) {
        return new WorkerConfig(burstSize, maxRxQueues, tickCycles, tickIntervalNs, perTick,
                queueCapacity, cacheCapacity, cpu, idleStrategy, ioUring);
    }

    public WorkerConfig withCacheCapacity(int frames) {
        return new WorkerConfig(burstSize, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick,
                commandQueueCapacity, frames, cpu, idleStrategy, ioUring);
    }

    public WorkerConfig withCpu(int cpuNumber) {
        return new WorkerConfig(burstSize, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick,
                commandQueueCapacity, cacheCapacity, cpuNumber, idleStrategy, ioUring);
    }

    public WorkerConfig withIdleStrategy(String spec) {
        return new WorkerConfig(burstSize, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick,
                commandQueueCapacity, cacheCapacity, cpu, spec, ioUring);
    }

    public WorkerConfig withIoUring(boolean on) {
        return new WorkerConfig(burstSize, maxRxQueues, tickCycles, tickIntervalNs, commandsPerTick,
                commandQueueCapacity, cacheCapacity, cpu, idleStrategy, on);
    }
}
