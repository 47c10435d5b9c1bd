package io.podswitch.perf.cpu;

/**
 * The CPU a transfer cost, per gigabyte (10^9 bytes) of payload moved, counting what the path's
 * parties spent and leaving out the rest of a shared machine:
 * <ul>
 *   <li>user and system time of the bench process and its reaped children ({@link ProcessTreeTimes}):
 *       the traffic tools (iperf3, which run the pods' socket calls and much of their TCP) and a
 *       userspace forwarder running in the bench (podswitch's workers, the TAP floor's pumps);</li>
 *   <li>the machine's softirq and irq time and the ksoftirqd threads' ({@link KernelNetThreads}): the
 *       kernel's packet work outside those processes (the bridge's forwarding, receive processing).</li>
 * </ul>
 * Plus {@link #busyShare}, from the whole machine: near 1, every CPU was busy (with this path or with
 * anything else), so the path is CPU-bound on this machine and goes faster only by spending less per byte.
 *
 * @param userNs      user time of the process tree
 * @param systemNs    system time of the process tree and of ksoftirqd
 * @param softirqNs   the machine's softirq + irq time
 * @param busyShare   busy / all time of the whole machine, 0..1
 * @param bytes       payload bytes moved meanwhile
 * @param forwarderNs CPU time of the forwarding threads (their part of the process tree's), or -1 when
 *                    the kernel forwards (bridge, routing)
 */
public record CpuCost(long userNs, long systemNs, long softirqNs, double busyShare, double bytes, long forwarderNs) {

    public CpuCost {
        if (!(bytes > 0)) {
            throw new IllegalArgumentException("no bytes moved: CPU per byte is undefined (" + bytes + ")");
        }
    }

    /** From readings before and after the transfer. */
    public static CpuCost between(CpuSnapshot before, CpuSnapshot after, double bytes, long forwarderNs) {
        CpuTimes machine = after.machine().minus(before.machine());
        ProcessTreeTimes tree = after.tree().minus(before.tree());
        long total = machine.totalNs();
        return new CpuCost(tree.userNs(), tree.systemNs() + after.ksoftirqdNs() - before.ksoftirqdNs(),
                machine.softirqNs() + machine.irqNs(), total <= 0 ? 0 : (double) machine.busyNs() / total,
                bytes, forwarderNs);
    }

    /** The payload bytes of {@code gbps} Gbit/s sustained for {@code nanos}. */
    public static double bytesAt(double gbps, long nanos) {
        return gbps * 1e9 / 8 * (nanos / 1e9);
    }

    /** All the path's CPU (user + system + softirq) per gigabyte, in milliseconds. */
    public double busyMsPerGb() {
        return msPerGb(userNs + systemNs + softirqNs);
    }

    public double userMsPerGb() {
        return msPerGb(userNs);
    }

    public double systemMsPerGb() {
        return msPerGb(systemNs);
    }

    public double softirqMsPerGb() {
        return msPerGb(softirqNs);
    }

    /** The forwarding threads' CPU per gigabyte in milliseconds, or NaN when there are none. */
    public double forwarderMsPerGb() {
        return forwarderNs < 0 ? Double.NaN : msPerGb(forwarderNs);
    }

    /** Some process's CPU time {@code nanos} over this transfer, per gigabyte, in milliseconds. */
    public double msPerGbOf(long nanos) {
        return msPerGb(nanos);
    }

    private double msPerGb(long nanos) {
        return nanos / 1e6 / (bytes / 1e9);
    }
}
