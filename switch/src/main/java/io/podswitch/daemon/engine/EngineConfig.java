package io.podswitch.daemon.engine;

/**
 * Sizes of the switch engine the daemon builds.
 *
 * @param workers       worker threads (each polls a share of the ports, round-robin)
 * @param idleStrategy  the workers' idle strategy spec ({@code spin}, {@code backoff}, ...)
 * @param frames        frames in the shared slab (2 KiB each); each worker caches up to 1024
 * @param maxPorts      port ids below this (the host port, one per pod); sizes the interface table
 */
public record EngineConfig(int workers, String idleStrategy, int frames, int maxPorts, boolean ioUring) {
    public static final int DEFAULT_FRAMES = 16384;
    public static final int DEFAULT_MAX_PORTS = 1024;
    /** Frames each worker keeps in its private cache. */
    static final int WORKER_CACHE_FRAMES = 1024;

    /** With the workers' default TAP I/O ({@link io.podswitch.worker.WorkerConfig#DEFAULT_IO_URING}). */
    public EngineConfig(int workers, String idleStrategy, int frames, int maxPorts) {
        this(workers, idleStrategy, frames, maxPorts, io.podswitch.worker.WorkerConfig.DEFAULT_IO_URING);
    }

    public EngineConfig {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be in [1, 64]: " + workers);
        }
        if (maxPorts < 2 || maxPorts > 65536) {
            throw new IllegalArgumentException("maxPorts must be in [2, 65536]: " + maxPorts);
        }
        long needed = (long) workers * WORKER_CACHE_FRAMES * 2;
        if (frames < needed) {
            throw new IllegalArgumentException("frames must be at least " + needed + " for " + workers
                    + " worker(s) (each caches " + WORKER_CACHE_FRAMES + "): " + frames);
        }
    }
}
