package io.podswitch.perf.bench.side;

import java.io.IOException;

/** A live podswitch path between two pods. */
public interface SwitchPath extends AutoCloseable {

    /** CPU time podswitch's forwarding threads used since connect, in nanoseconds; 0 if unknown. */
    long cpuNanos();

    @Override
    void close() throws IOException;
}
