package io.podswitch.perf.fib;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.podswitch.fib.Ip4Fib;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IPv4 lookups in a FIB holding the 1,076,806-route BGP-like table, random destinations (12.5% miss,
 * as in DPDK's lpm_perf_autotest). One benchmark operation is one lookup; each invocation looks up a
 * batch of 4096 addresses (DPDK's batch size) taken from a 16 MiB pool of random addresses, so the
 * tables are hit at random like in the C test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class Ip4FibLookupBenchmark {
    static final int BATCH = 4096;
    private static final int POOL = 1 << 22;

    private Ip4Fib fib;
    private final int[] pool = new int[POOL];
    private final int[] batch = new int[BATCH];
    private final int[] results = new int[BATCH];
    private int offset;

    @Setup(Level.Trial)
    public void build() {
        BgpLikeIp4Routes routes = BgpLikeIp4Routes.generate(1);
        fib = new Ip4Fib();
        for (int i = 0; i < routes.size(); i++) {
            fib.add(routes.prefix(i), routes.length(i), i & 0xFFFF);
        }
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < POOL; i++) {
            pool[i] = random.nextInt();
        }
    }

    /** A fresh slice of random addresses for every invocation, outside the timed region. */
    @Setup(Level.Invocation)
    public void nextBatch() {
        System.arraycopy(pool, offset, batch, 0, BATCH);
        offset = (offset + BATCH) & (POOL - 1);
    }

    /** One call of {@code lookup} per address, as rte_lpm_lookup in the C loop. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int single() {
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += fib.lookup(batch[i]);
        }
        return sum;
    }

    /** The bulk call over the batch, as rte_lpm_lookup_bulk. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int[] bulk() {
        fib.lookupBulk(batch, results, BATCH);
        return results;
    }

    /** Four lookups interleaved by hand per step, as rte_lpm_lookupx4. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int x4() {
        int sum = 0;
        for (int i = 0; i < BATCH; i += 4) {
            int a = fib.lookup(batch[i]);
            int b = fib.lookup(batch[i + 1]);
            int c = fib.lookup(batch[i + 2]);
            int d = fib.lookup(batch[i + 3]);
            sum += a + b + c + d;
        }
        return sum;
    }
}
