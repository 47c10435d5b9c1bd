package io.podswitch.perf.bench.side;

import java.util.List;

/**
 * @param routes     FIB size for the routing modes (destinations are drawn from it with {@code seed})
 * @param packetSize frame size in bytes (without FCS: 64 means 60 bytes of frame + 4 of FCS on the wire)
 */
public record EngineWorkload(EngineMode mode, int workers, int packetSize, List<Integer> cores, int routes,
                             long seed) {

    public EngineWorkload {
        cores = List.copyOf(cores);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
    }
}
