package io.podswitch.perf.bench.side;

import java.time.Duration;

/**
 * The forwarding engine on null ports (ports that receive pre-built frames and drop what they
 * transmit, like DPDK's net_null): measures the graph and workers without any I/O.
 */
public interface EngineSide {

    /**
     * Starts {@code workload.workers()} workers pinned to {@code workload.cores()} (in order, as far
     * as there are cores), forwards for {@code duration}, stops them and returns what was forwarded.
     *
     * @throws SideUnavailableException when this build or machine cannot run the workload (the
     *                                  reason is reported as "unavailable", not as a failure)
     */
    EngineRun forward(EngineWorkload workload, Duration duration) throws Exception;
}
