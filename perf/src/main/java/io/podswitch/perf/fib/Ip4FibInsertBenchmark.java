package io.podswitch.perf.fib;

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
 * Loading the 1,076,806-route BGP-like table into an empty FIB (the tables allocated beforehand, as
 * DPDK creates the LPM before its timer starts). Reported per route: ns per add.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class Ip4FibInsertBenchmark {
    private static final BgpLikeIp4Routes ROUTES = BgpLikeIp4Routes.generate(1);
    private static final int COUNT = 1_076_806;

    private Ip4Fib fib;

    @Setup(Level.Invocation)
    public void emptyFib() {
        if (ROUTES.size() != COUNT) {
            throw new IllegalStateException("route table has " + ROUTES.size() + " routes, expected " + COUNT);
        }
        fib = null;
        fib = new Ip4Fib();
    }

    @Benchmark
    @OperationsPerInvocation(COUNT)
    public Ip4Fib add() {
        BgpLikeIp4Routes routes = ROUTES;
        for (int i = 0; i < COUNT; i++) {
            fib.add(routes.prefix(i), routes.length(i), i & 0xFFFF);
        }
        return fib;
    }
}
