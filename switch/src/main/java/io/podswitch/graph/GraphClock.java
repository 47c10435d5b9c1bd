package io.podswitch.graph;

/** The worker's cached time as last given to {@link L3Graph#tick}; nodes never read a clock themselves. */
final class GraphClock {
    long nowNanos;
}
