package io.podswitch.graph;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;

/**
 * What a worker runs on every received burst: the L2/L3 graph, or a plain forwarding mode (io,
 * macswap) for benchmarks. One instance per worker, used by that worker's thread only.
 */
public interface PacketProcessor {
    /**
     * Processes a burst just received (each frame's input port is set); takes ownership of every
     * frame: forwarded, answered, or freed and counted as a drop. The vector is cleared.
     */
    void process(PacketVector burst, FrameCache cache);

    /** Transmits everything buffered for output; called once per duty cycle. @return packets sent */
    int flush(FrameCache cache);

    /** The worker's slow tick (timers, aging); {@code nowNanos} is the cached clock. */
    default void tick(long nowNanos) {
    }
}
