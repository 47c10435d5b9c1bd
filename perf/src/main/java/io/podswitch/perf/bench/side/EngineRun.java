package io.podswitch.perf.bench.side;

/**
 * What one engine run forwarded.
 *
 * @param packets      packets transmitted by all workers together
 * @param elapsedNanos wall time the workers were forwarding
 * @param cpuNanos     CPU time the worker threads used (for CPU per packet); 0 if unknown
 */
public record EngineRun(long packets, long elapsedNanos, long cpuNanos) {

    public EngineRun {
        if (packets < 0 || elapsedNanos <= 0 || cpuNanos < 0) {
            throw new IllegalArgumentException("engine run needs packets >= 0, elapsed > 0, cpu >= 0: " + packets + ", "
                    + elapsedNanos + ", " + cpuNanos);
        }
    }

    public double mpps() {
        return packets / (elapsedNanos / 1e9) / 1e6;
    }
}
