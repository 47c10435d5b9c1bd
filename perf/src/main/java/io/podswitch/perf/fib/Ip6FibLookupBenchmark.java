package io.podswitch.perf.fib;

import java.util.concurrent.TimeUnit;

import io.podswitch.fib.Ip6Fib;
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
 * IPv6 lookups on the lpm6_perf_autotest-shaped table: 1000 routes, the 100,000 addresses looked
 * up in order per invocation (as the C test loops over its address table). One operation = one lookup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class Ip6FibLookupBenchmark {
    private static final int ADDRESSES = Lpm6PerfTable.ROUTES * Lpm6PerfTable.ADDRESSES_PER_ROUTE;

    private Ip6Fib fib;
    private Lpm6PerfTable table;
    private final int[] results = new int[ADDRESSES];

    @Setup(Level.Trial)
    public void build() {
        table = new Lpm6PerfTable(3);
        fib = new Ip6Fib(1 << 16);
        for (int r = 0; r < Lpm6PerfTable.ROUTES; r++) {
            fib.add(table.routeHigh[r], table.routeLow[r], table.routeLength[r], r);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ADDRESSES)
    public int single() {
        long[] high = table.addressHigh;
        long[] low = table.addressLow;
        int sum = 0;
        for (int i = 0; i < ADDRESSES; i++) {
            sum += fib.lookup(high[i], low[i]);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(ADDRESSES)
    public int[] bulk() {
        fib.lookupBulk(table.addressHigh, table.addressLow, results, ADDRESSES);
        return results;
    }
}
