package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.cpu.CpuCost;
import io.podswitch.perf.cpu.CpuSnapshot;
import io.podswitch.perf.cpu.KernelNetThreads;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The CPU figures a bulk-transfer scenario reports beside its Gbit/s, for every subject alike
 * ({@link CpuCost}): the path's CPU per gigabyte moved — user and system time of the bench process (a
 * forwarder in it) and of the traffic tools it runs, the kernel's softirq and ksoftirqd time, and the
 * CPU of path processes that run outside the bench's reaped children (podswitchd daemons) — how busy
 * the whole machine was (near 100 %: CPU-bound here), and for a forwarding subject its own share.
 * Other processes of a shared machine stay out of the per-GB figures (their softirq aside), not out of
 * the busy share.
 */
final class CpuPerByteMetrics {
    static final Outcomes.Metric BUSY = Outcomes.Metric.lower("cpu_per_gb", "ms/GB");
    static final Outcomes.Metric USER = Outcomes.Metric.lower("cpu_user_per_gb", "ms/GB");
    static final Outcomes.Metric SYSTEM = Outcomes.Metric.lower("cpu_sys_per_gb", "ms/GB");
    static final Outcomes.Metric SOFTIRQ = Outcomes.Metric.lower("cpu_softirq_per_gb", "ms/GB");
    static final Outcomes.Metric BUSY_SHARE = Outcomes.Metric.lower("cpu_busy", "% of all CPUs");
    static final Outcomes.Metric FORWARDER = Outcomes.Metric.lower("forwarder_cpu_per_gb", "ms/GB");
    /** The metrics every subject gets. */
    static final List<Outcomes.Metric> MACHINE = List.of(BUSY, USER, SYSTEM, SOFTIRQ, BUSY_SHARE);
    private static final LongSupplier NONE = () -> 0L;

    /** A transfer that reports Gbit/s over {@code duration}. */
    @FunctionalInterface
    interface Transfer {
        double gbps(Duration duration) throws Exception;
    }

    private CpuPerByteMetrics() {
    }

    /**
     * The metrics a subject reports: {@link #MACHINE}, and {@link #FORWARDER} when it has forwarding threads.
     */
    static List<Outcomes.Metric> of(boolean forwarder) {
        return forwarder ? java.util.stream.Stream.concat(MACHINE.stream(), java.util.stream.Stream.of(FORWARDER)).toList()
                : MACHINE;
    }

    /**
     * Runs {@code transfer} for {@code seconds} of sending and returns {@code throughput} (Gbit/s) with the
     * CPU metrics of that transfer. The CPU window also holds the tool's start and stop (tens of
     * milliseconds of seconds-long transfers).
     *
     * @param forwarderCpu CPU nanoseconds so far of forwarding threads inside the bench process, when there are any
     */
    static Map<String, Double> measure(Outcomes.Metric throughput, Duration duration, long seconds,
                                       Optional<LongSupplier> forwarderCpu, Transfer transfer) throws Exception {
        return measure(throughput, duration, seconds,
                forwarderCpu.map(f -> Map.of(FORWARDER, f)).orElse(Map.of()), NONE, transfer);
    }

    /**
     * As above with several processes' own CPU, each reported per GB under its metric (e.g. the
     * podswitchd of the sending and of the receiving node).
     *
     * @param processes CPU nanoseconds so far of each process (or thread group) to report, by metric
     * @param outside   CPU nanoseconds so far of the path's processes that are neither the bench process
     *                  nor children it reaps during the transfer (daemons it started before): added to
     *                  {@link #BUSY}, which would not see them otherwise
     */
    static Map<String, Double> measure(Outcomes.Metric throughput, Duration duration, long seconds,
                                       Map<Outcomes.Metric, LongSupplier> processes, LongSupplier outside,
                                       Transfer transfer) throws Exception {
        List<Map.Entry<Outcomes.Metric, LongSupplier>> ps = List.copyOf(processes.entrySet());
        long[] p0 = new long[ps.size()];
        KernelNetThreads ksoftirqd = KernelNetThreads.find();
        CpuSnapshot before = CpuSnapshot.read(ksoftirqd);
        long outside0 = outside.getAsLong();
        for (int i = 0; i < p0.length; i++) {
            p0[i] = ps.get(i).getValue().getAsLong();
        }
        double gbps = transfer.gbps(duration);
        long[] p1 = new long[ps.size()];
        for (int i = 0; i < p1.length; i++) {
            p1[i] = ps.get(i).getValue().getAsLong();
        }
        long outside1 = outside.getAsLong();
        CpuSnapshot after = CpuSnapshot.read(ksoftirqd);
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(throughput.name(), gbps);
        if (!(gbps > 0)) {
            throw new IllegalStateException("the transfer moved nothing (" + gbps + " Gbit/s): no CPU per byte");
        }
        CpuCost cost = CpuCost.between(before, after, CpuCost.bytesAt(gbps, seconds * 1_000_000_000L), -1);
        v.put(BUSY.name(), cost.busyMsPerGb() + cost.msPerGbOf(outside1 - outside0));
        v.put(USER.name(), cost.userMsPerGb());
        v.put(SYSTEM.name(), cost.systemMsPerGb());
        v.put(SOFTIRQ.name(), cost.softirqMsPerGb());
        v.put(BUSY_SHARE.name(), 100 * cost.busyShare());
        for (int i = 0; i < ps.size(); i++) {
            v.put(ps.get(i).getKey().name(), cost.msPerGbOf(p1[i] - p0[i]));
        }
        return v;
    }
}
