package io.podswitch.perf.fib;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.podswitch.fib.Ip4Fib;
import io.podswitch.fib.Ip6Fib;

/**
 * A second opinion next to JMH for a shared, oversubscribed machine: the same lookups as
 * {@link Ip4FibLookupBenchmark#single} and {@link Ip6FibLookupBenchmark#single}, timed with the
 * thread's CPU time instead of wall time, so the time the thread spends descheduled by other load is
 * not counted. Prints ns and cycles per lookup (cycles = CPU ns x the GHz given as first argument,
 * default 2.1, the TSC frequency DPDK reports on this machine), median of 15 rounds after warm-up.
 *
 * <p>Run: {@code java -cp perf/target/classes:perf/target/lib/* io.podswitch.perf.fib.FibLookupCpuTime 2.1}
 */
public final class FibLookupCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 15;

    private FibLookupCpuTime() {
    }

    public static void main(String[] args) {
        double ghz = args.length > 0 ? Double.parseDouble(args[0]) : 2.1;
        ip4(ghz);
        ip6(ghz);
    }

    private static void ip4(double ghz) {
        BgpLikeIp4Routes routes = BgpLikeIp4Routes.generate(1);
        Ip4Fib fib = new Ip4Fib();
        for (int i = 0; i < routes.size(); i++) {
            fib.add(routes.prefix(i), routes.length(i), i & 0xFFFF);
        }
        int[] addresses = new int[1 << 22];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = random.nextInt();
        }
        double[] ns = new double[ROUNDS];
        long sink = 0;
        for (int warm = 0; warm < 5; warm++) {
            sink += ip4Round(fib, addresses);
        }
        for (int r = 0; r < ROUNDS; r++) {
            long start = THREADS.getCurrentThreadCpuTime();
            sink += ip4Round(fib, addresses);
            ns[r] = (double) (THREADS.getCurrentThreadCpuTime() - start) / addresses.length;
        }
        report("ip4 single lookup, 1,076,806 routes, random addresses", ns, ghz, sink);
        int[] batch = new int[4096];
        int[] results = new int[4096];
        for (int warm = 0; warm < 3; warm++) {
            sink += ip4BulkRound(fib, addresses, batch, results);
        }
        for (int r = 0; r < ROUNDS; r++) {
            long start = THREADS.getCurrentThreadCpuTime();
            sink += ip4BulkRound(fib, addresses, batch, results);
            ns[r] = (double) (THREADS.getCurrentThreadCpuTime() - start) / addresses.length;
        }
        report("ip4 bulk lookup (4096 per call), same table and addresses", ns, ghz, sink);
    }

    private static long ip4BulkRound(Ip4Fib fib, int[] addresses, int[] batch, int[] results) {
        long sum = 0;
        for (int offset = 0; offset < addresses.length; offset += batch.length) {
            System.arraycopy(addresses, offset, batch, 0, batch.length);
            fib.lookupBulk(batch, results, batch.length);
            sum += results[offset & (batch.length - 1)];
        }
        return sum;
    }

    private static long ip4Round(Ip4Fib fib, int[] addresses) {
        long sum = 0;
        for (int address : addresses) {
            sum += fib.lookup(address);
        }
        return sum;
    }

    private static void ip6(double ghz) {
        Lpm6PerfTable table = new Lpm6PerfTable(3);
        Ip6Fib fib = new Ip6Fib(1 << 16);
        for (int r = 0; r < Lpm6PerfTable.ROUTES; r++) {
            fib.add(table.routeHigh[r], table.routeLow[r], table.routeLength[r], r);
        }
        double[] ns = new double[ROUNDS];
        long sink = 0;
        for (int warm = 0; warm < 50; warm++) {
            sink += ip6Round(fib, table);
        }
        for (int r = 0; r < ROUNDS; r++) {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int repeat = 0; repeat < 10; repeat++) {
                sink += ip6Round(fib, table);
            }
            ns[r] = (double) (THREADS.getCurrentThreadCpuTime() - start) / (10.0 * table.addressHigh.length);
        }
        report("ip6 single lookup, 1000 routes, lpm6_perf_autotest-shaped addresses", ns, ghz, sink);
    }

    private static long ip6Round(Ip6Fib fib, Lpm6PerfTable table) {
        long sum = 0;
        long[] high = table.addressHigh;
        long[] low = table.addressLow;
        for (int i = 0; i < high.length; i++) {
            sum += fib.lookup(high[i], low[i]);
        }
        return sum;
    }

    private static void report(String what, double[] ns, double ghz, long sink) {
        double[] sorted = ns.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf("%s: median %.2f ns = %.1f cycles (min %.2f ns, max %.2f ns) [%d]%n",
            what, median, median * ghz, sorted[0], sorted[sorted.length - 1], sink & 1);
    }
}
