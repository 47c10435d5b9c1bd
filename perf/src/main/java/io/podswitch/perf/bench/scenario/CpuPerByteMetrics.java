package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.cpu.CpuCost;
import io.podswitch.perf.cpu.CpuTimes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The CPU figures a bulk-transfer scenario reports beside its Gbit/s, for every subject alike: the
 * machine's CPU (from {@code /proc/stat}: user, system, softirq) per gigabyte moved, how busy the
 * machine was (near 100 %: the path is CPU-bound here), and for a forwarding process (podswitch, the
 * TAP floor) its own threads' share. Machine-wide, so the kernel's work for the pods counts wherever it
 * runs; and so does anything else running on a shared machine (report the load with the figures).
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
     * @param forwarderCpu CPU nanoseconds of the forwarding threads so far, when there are any
     */
    static Map<String, Double> measure(Outcomes.Metric throughput, Duration duration, long seconds,
                                       Optional<LongSupplier> forwarderCpu, Transfer transfer) throws Exception {
        return measure(throughput, duration, seconds,
                forwarderCpu.map(f -> Map.of(FORWARDER, f)).orElse(Map.of()), transfer);
    }

    /**
     * As above with several processes' own CPU, each reported per GB under its metric (e.g. the
     * podswitchd of the sending and of the receiving node).
     *
     * @param processes CPU nanoseconds so far of each process (or thread group) to report, by metric
     */
    static Map<String, Double> measure(Outcomes.Metric throughput, Duration duration, long seconds,
                                       Map<Outcomes.Metric, LongSupplier> processes, Transfer transfer) throws Exception {
        List<Map.Entry<Outcomes.Metric, LongSupplier>> ps = List.copyOf(processes.entrySet());
        long[] p0 = new long[ps.size()];
        CpuTimes before = CpuTimes.read();
        for (int i = 0; i < p0.length; i++) {
            p0[i] = ps.get(i).getValue().getAsLong();
        }
        double gbps = transfer.gbps(duration);
        long[] p1 = new long[ps.size()];
        for (int i = 0; i < p1.length; i++) {
            p1[i] = ps.get(i).getValue().getAsLong();
        }
        CpuTimes after = CpuTimes.read();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(throughput.name(), gbps);
        if (!(gbps > 0)) {
            throw new IllegalStateException("the transfer moved nothing (" + gbps + " Gbit/s): no CPU per byte");
        }
        CpuCost cost = CpuCost.between(before, after, CpuCost.bytesAt(gbps, seconds * 1_000_000_000L), -1);
        v.put(BUSY.name(), cost.busyMsPerGb());
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
