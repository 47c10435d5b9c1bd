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
 * forwarder in it) and of the traffic tools it runs, the kernel's softirq and ksoftirqd time — how busy
 * the whole machine was (near 100 %: CPU-bound here), and for a forwarding subject (podswitch, the TAP
 * floor) its own threads' share. Other processes of a shared machine stay out of the per-GB figures
 * (their softirq aside), not out of the busy share.
 */
final class CpuPerByteMetrics {
    static final Outcomes.Metric BUSY = Outcomes.Metric.lower("cpu_per_gb", "ms/GB");
    static final Outcomes.Metric USER = Outcomes.Metric.lower("cpu_user_per_gb", "ms/GB");
    static final Outcomes.Metric SYSTEM = Outcomes.Metric.lower("cpu_sys_per_gb", "ms/GB");
    static final Outcomes.Metric SOFTIRQ = Outcomes.Metric.lower("cpu_softirq_per_gb", "ms/GB");
    static final Outcomes.Metric BUSY_SHARE = Outcomes.Metric.lower("cpu_busy", "% of all CPUs");
    static final Outcomes.Metric FORWARDER = Outcomes.Metric.lower("forwarder_cpu_per_gb", "ms/GB");
    /** The metrics every subject gets. */
    static final List<Outcomes.Metric> EVERY_SUBJECT = List.of(BUSY, USER, SYSTEM, SOFTIRQ, BUSY_SHARE);

    /** A transfer that reports Gbit/s over {@code duration}. */
    @FunctionalInterface
    interface Transfer {
        double gbps(Duration duration) throws Exception;
    }

    private CpuPerByteMetrics() {
    }

    /**
     * The metrics a subject reports: {@link #EVERY_SUBJECT}, and {@link #FORWARDER} when it has forwarding threads.
     */
    static List<Outcomes.Metric> of(boolean forwarder) {
        return forwarder ? java.util.stream.Stream.concat(EVERY_SUBJECT.stream(), java.util.stream.Stream.of(FORWARDER)).toList()
                : EVERY_SUBJECT;
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
        KernelNetThreads ksoftirqd = KernelNetThreads.find();
        CpuSnapshot before = CpuSnapshot.read(ksoftirqd);
        long f0 = forwarderCpu.map(LongSupplier::getAsLong).orElse(0L);
        double gbps = transfer.gbps(duration);
        long f1 = forwarderCpu.map(LongSupplier::getAsLong).orElse(0L);
        CpuSnapshot after = CpuSnapshot.read(ksoftirqd);
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(throughput.name(), gbps);
        if (!(gbps > 0)) {
            throw new IllegalStateException("the transfer moved nothing (" + gbps + " Gbit/s): no CPU per byte");
        }
        CpuCost cost = CpuCost.between(before, after, CpuCost.bytesAt(gbps, seconds * 1_000_000_000L),
                forwarderCpu.isPresent() ? f1 - f0 : -1);
        v.put(BUSY.name(), cost.busyMsPerGb());
        v.put(USER.name(), cost.userMsPerGb());
        v.put(SYSTEM.name(), cost.systemMsPerGb());
        v.put(SOFTIRQ.name(), cost.softirqMsPerGb());
        v.put(BUSY_SHARE.name(), 100 * cost.busyShare());
        if (forwarderCpu.isPresent()) {
            v.put(FORWARDER.name(), cost.forwarderMsPerGb());
        }
        return v;
    }
}
