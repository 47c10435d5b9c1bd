package io.podswitch.daemon.engine;

/**
 * Sizes of the switch engine the daemon builds.
 *
 * @param workers       worker threads (each polls a share of the ports, round-robin)
 * @param idleStrategy  the workers' idle strategy spec ({@code spin}, {@code backoff}, ...)
 * @param frames        frames in the shared slab (2 KiB each); each worker caches up to 1024
 * @param maxPorts      port ids below this (the host port, one per pod); sizes the interface table
 * @param serviceFlows  service flows (NAT conntrack records) each worker tracks: a power of two in
 *                      [{@value #MIN_SERVICE_FLOWS}, {@value #MAX_SERVICE_FLOWS}], about
 *                      {@value #SERVICE_FLOW_BYTES} bytes of heap each, allocated at start
 */
public record EngineConfig(int workers, String idleStrategy, int frames, int maxPorts, int serviceFlows,
                           boolean ioUring) {
    public static final int DEFAULT_FRAMES = 16384;
    public static final int DEFAULT_MAX_PORTS = 1024;
    /** 65,536 flows per worker: 9 MiB each. */
    public static final int DEFAULT_SERVICE_FLOWS = 65_536;
    public static final int MIN_SERVICE_FLOWS = 1024;
    public static final int MAX_SERVICE_FLOWS = 1 << 22;
    /** Heap per tracked flow: the record's parallel arrays plus its two index ways (ServiceConnTrack). */
    public static final int SERVICE_FLOW_BYTES = 140;
    /** Frames each worker keeps in its private cache. */
    static final int WORKER_CACHE_FRAMES = 1024;

    public EngineConfig {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be in [1, 64]: " + workers);
        }
        if (maxPorts < 2 || maxPorts > 65536) {
            throw new IllegalArgumentException("maxPorts must be in [2, 65536]: " + maxPorts);
        }
        if (serviceFlows < MIN_SERVICE_FLOWS || serviceFlows > MAX_SERVICE_FLOWS || Integer.bitCount(serviceFlows) != 1) {
            throw new IllegalArgumentException("service flows per worker must be a power of two in [" + MIN_SERVICE_FLOWS
                    + ", " + MAX_SERVICE_FLOWS + "]: " + serviceFlows);
        }
        long needed = (long) workers * WORKER_CACHE_FRAMES * 2;
        if (frames < needed) {
            throw new IllegalArgumentException("frames must be at least " + needed + " for " + workers
                    + " worker(s) (each caches " + WORKER_CACHE_FRAMES + "): " + frames);
        }
    }

    /** {@link #DEFAULT_SERVICE_FLOWS} service flows per worker. */
    public EngineConfig(int workers, String idleStrategy, int frames, int maxPorts) {
        this(workers, idleStrategy, frames, maxPorts, DEFAULT_SERVICE_FLOWS);
    }

    /** With the workers' default TAP I/O ({@link io.podswitch.worker.WorkerConfig#DEFAULT_IO_URING}). */
    public EngineConfig(int workers, String idleStrategy, int frames, int maxPorts, int serviceFlows) {
        this(workers, idleStrategy, frames, maxPorts, serviceFlows, io.podswitch.worker.WorkerConfig.DEFAULT_IO_URING);
    }

    /** Heap the workers' service flow tables take together. */
    public long serviceFlowBytes() {
        return (long) workers * serviceFlows * SERVICE_FLOW_BYTES;
    }
}
