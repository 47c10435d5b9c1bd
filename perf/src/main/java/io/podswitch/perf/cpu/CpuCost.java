package io.podswitch.perf.cpu;

/**
 * The CPU a transfer cost: machine CPU time spent while {@code bytes} moved, per gigabyte (10^9 bytes)
 * and as a share of the machine. A path that keeps {@link #busyShare} near 1 is CPU-bound: on that
 * machine it goes faster only by spending fewer CPU milliseconds per gigabyte.
 *
 * @param spent       the machine's CPU times over the transfer ({@link CpuTimes#minus})
 * @param bytes       payload bytes moved meanwhile
 * @param forwarderNs CPU time of a forwarding process's threads meanwhile (podswitch's workers), or -1
 *                    when the forwarding is the kernel's own (bridge, routing)
 */
public record CpuCost(CpuTimes spent, double bytes, long forwarderNs) {

    public CpuCost {
        if (!(bytes > 0)) {
            throw new IllegalArgumentException("no bytes moved: CPU per byte is undefined (" + bytes + ")");
        }
    }

    /** From readings before and after the transfer. */
    public static CpuCost between(CpuTimes before, CpuTimes after, double bytes, long forwarderNs) {
        return new CpuCost(after.minus(before), bytes, forwarderNs);
    }

    /** The payload bytes of {@code gbps} Gbit/s sustained for {@code nanos}. */
    public static double bytesAt(double gbps, long nanos) {
        return gbps * 1e9 / 8 * (nanos / 1e9);
    }

    /** Busy CPU (user + system + softirq + irq) per gigabyte, in milliseconds. */
    public double busyMsPerGb() {
        return msPerGb(spent.busyNs());
    }

    public double userMsPerGb() {
        return msPerGb(spent.userNs());
    }

    public double systemMsPerGb() {
        return msPerGb(spent.systemNs());
    }

    /** Softirq and hard irq per gigabyte, in milliseconds. */
    public double softirqMsPerGb() {
        return msPerGb(spent.softirqNs() + spent.irqNs());
    }

    /** The forwarding threads' CPU per gigabyte in milliseconds, or NaN when there are none. */
    public double forwarderMsPerGb() {
        return forwarderNs < 0 ? Double.NaN : msPerGb(forwarderNs);
    }

    /** Some process's CPU time {@code nanos} over this transfer, per gigabyte, in milliseconds. */
    public double msPerGbOf(long nanos) {
        return msPerGb(nanos);
    }

    /** Busy time over all CPUs' time, 0..1 (1: every CPU worked the whole time). */
    public double busyShare() {
        long total = spent.totalNs();
        return total <= 0 ? 0 : (double) spent.busyNs() / total;
    }

    private double msPerGb(long nanos) {
        return nanos / 1e6 / (bytes / 1e9);
    }
}
