package io.podswitch.perf.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process and of its children that have ended and been reaped, from
 * {@code /proc/self/stat} ({@code utime stime cutime cstime}), in nanoseconds. The bench runs the
 * traffic tools (iperf3) as children and podswitch's forwarding threads in its own process, so the
 * difference of two readings around a transfer is what the subject's userspace spent — and not what
 * other work on a shared machine spent meanwhile, which the machine-wide {@link CpuTimes} include.
 *
 * @param selfUserNs   this process, user (podswitch's workers or the floor's pumps, the JIT, the GC)
 * @param selfSystemNs this process, system (the TAP reads and writes: the tun copies)
 * @param childUserNs   reaped children, user (iperf3 client and server)
 * @param childSystemNs reaped children, system (the pods' socket calls, their TCP)
 */
public record ProcessTreeTimes(long selfUserNs, long selfSystemNs, long childUserNs, long childSystemNs) {

    private static final Path SELF = Path.of("/proc/self/stat");

    public static ProcessTreeTimes read() throws IOException {
        return parse(Files.readString(SELF));
    }

    /**
     * Parses a {@code /proc/PID/stat} line: fields 14-17 counted after the command name, which is in
     * parentheses and may itself hold spaces and parentheses (so the fields start after the last ')').
     */
    public static ProcessTreeTimes parse(String stat) {
        long[] t = ticks(stat, 4);
        return new ProcessTreeTimes(t[0] * CpuTimes.NS_PER_TICK, t[1] * CpuTimes.NS_PER_TICK,
                t[2] * CpuTimes.NS_PER_TICK, t[3] * CpuTimes.NS_PER_TICK);
    }

    /** {@code count} tick fields from utime (field 14) on, of a {@code /proc/PID/stat} line. */
    static long[] ticks(String stat, int count) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat.strip());
        }
        // After ")": field 3 (state) onwards; utime is field 14, i.e. the 12th of these.
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 11 + count) {
            throw new IllegalArgumentException("/proc/PID/stat line too short: " + stat.strip());
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Long.parseLong(f[11 + i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("/proc/PID/stat field " + (14 + i) + " is not a number: " + stat.strip(), e);
            }
        }
        return out;
    }

    public ProcessTreeTimes minus(ProcessTreeTimes earlier) {
        return new ProcessTreeTimes(selfUserNs - earlier.selfUserNs, selfSystemNs - earlier.selfSystemNs,
                childUserNs - earlier.childUserNs, childSystemNs - earlier.childSystemNs);
    }

    public long userNs() {
        return selfUserNs + childUserNs;
    }

    public long systemNs() {
        return selfSystemNs + childSystemNs;
    }
}
