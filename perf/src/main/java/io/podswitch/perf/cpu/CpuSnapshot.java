package io.podswitch.perf.cpu;

import java.io.IOException;

/**
 * One reading of everything {@link CpuCost} needs: the machine's CPU times, this process tree's, and
 * the ksoftirqd threads'.
 */
public record CpuSnapshot(CpuTimes machine, ProcessTreeTimes tree, long ksoftirqdNs) {

    public static CpuSnapshot read(KernelNetThreads ksoftirqd) throws IOException {
        return new CpuSnapshot(CpuTimes.read(), ProcessTreeTimes.read(), ksoftirqd.cpuNs());
    }
}
