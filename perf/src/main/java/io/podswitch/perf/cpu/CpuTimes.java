package io.podswitch.perf.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the whole machine (every CPU summed) since boot, by kind, in nanoseconds: the aggregate
 * {@code cpu} line of {@code /proc/stat}. Machine-wide on purpose: the kernel's share of a network path
 * (softirqs, the pods' TCP in ksoftirqd or in whichever thread sends) belongs to no one process, so
 * only the machine's totals show what a path costs. The flip side: on a shared machine the figures
 * include whatever else ran meanwhile.
 *
 * @param userNs    user and nice
 * @param systemNs  system (kernel work on behalf of a thread: system calls, copies, the pods' TCP when it
 *                  runs in the caller's context)
 * @param softirqNs softirq (network receive and transmit completions outside a caller's context)
 * @param irqNs     hard interrupts
 * @param idleNs    idle and iowait
 * @param stealNs   stolen by the hypervisor
 */
public record CpuTimes(long userNs, long systemNs, long softirqNs, long irqNs, long idleNs, long stealNs) {

    /** /proc/stat counts in USER_HZ ticks, which the kernel fixes at 100 per second for user space on every architecture. */
    static final long NS_PER_TICK = 10_000_000L;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** The machine's CPU times now. */
    public static CpuTimes read() throws IOException {
        return parse(Files.readString(PROC_STAT));
    }

    /**
     * Parses the aggregate line {@code cpu  user nice system idle iowait irq softirq steal [guest guest_nice]}
     * (guest time is already inside user). @throws IllegalArgumentException when there is no such line
     */
    public static CpuTimes parse(String procStat) {
        for (String line : procStat.split("\n")) {
            if (!line.startsWith("cpu ")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 9) {
                throw new IllegalArgumentException("/proc/stat cpu line has " + (f.length - 1) + " fields, need 8: " + line);
            }
            long[] t = new long[8];
            for (int i = 0; i < 8; i++) {
                try {
                    t[i] = Long.parseLong(f[i + 1]) * NS_PER_TICK;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("/proc/stat cpu line: field " + (i + 1) + " is not a number: " + line, e);
                }
            }
            return new CpuTimes(t[0] + t[1], t[2], t[6], t[5], t[3] + t[4], t[7]);
        }
        throw new IllegalArgumentException("no aggregate 'cpu ' line in /proc/stat");
    }

    /** What was spent between {@code earlier} and this reading. */
    public CpuTimes minus(CpuTimes earlier) {
        return new CpuTimes(userNs - earlier.userNs, systemNs - earlier.systemNs, softirqNs - earlier.softirqNs,
                irqNs - earlier.irqNs, idleNs - earlier.idleNs, stealNs - earlier.stealNs);
    }

    /** CPU time spent working: user, system, softirq and irq. */
    public long busyNs() {
        return userNs + systemNs + softirqNs + irqNs;
    }

    /** Every CPU's time: busy, idle and stolen. */
    public long totalNs() {
        return busyNs() + idleNs + stealNs;
    }
}
