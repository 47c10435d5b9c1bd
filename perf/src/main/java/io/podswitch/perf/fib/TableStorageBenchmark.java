package io.podswitch.perf.fib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

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
 * Why the FIB tables are {@code int[]} and not off-heap: the same DIR-24-8 two-read lookup (tbl24
 * read with acquire, then tbl8) over the same contents, once in Java arrays and once in
 * {@link MemorySegment}s from the global arena (no liveness checks), random addresses; and the
 * array version with a plain instead of an acquire tbl24 read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TableStorageBenchmark {
    private static final int BATCH = 4096;
    private static final int TBL24 = 1 << 24;
    private static final int GROUPS = 1 << 15;
    private static final VarHandle ARRAY = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SEGMENT = ValueLayout.JAVA_INT.arrayElementVarHandle();

    private final int[] tbl24 = new int[TBL24];
    private final int[] tbl8 = new int[GROUPS * 256];
    private MemorySegment tbl24Segment;
    private MemorySegment tbl8Segment;
    private final int[] pool = new int[1 << 22];
    private final int[] batch = new int[BATCH];
    private int offset;

    @Setup(Level.Trial)
    public void fill() {
        SplittableRandom random = new SplittableRandom(9);
        int group = 0;
        for (int i = 0; i < TBL24; i++) {
            // About as many /24s with longer routes as in the BGP-like table (0.25%).
            tbl24[i] = random.nextInt(400) == 0 && group < GROUPS ? 0x8000_0000 | group++ : random.nextInt(1 << 16) + 1;
        }
        for (int i = 0; i < tbl8.length; i++) {
            tbl8[i] = random.nextInt(1 << 16) + 1;
        }
        tbl24Segment = Arena.global().allocate((long) TBL24 * Integer.BYTES, 4096);
        tbl8Segment = Arena.global().allocate((long) tbl8.length * Integer.BYTES, 4096);
        MemorySegment.copy(tbl24, 0, tbl24Segment, ValueLayout.JAVA_INT, 0, TBL24);
        MemorySegment.copy(tbl8, 0, tbl8Segment, ValueLayout.JAVA_INT, 0, tbl8.length);
        for (int i = 0; i < pool.length; i++) {
            pool[i] = random.nextInt();
        }
    }

    @Setup(Level.Invocation)
    public void nextBatch() {
        System.arraycopy(pool, offset, batch, 0, BATCH);
        offset = (offset + BATCH) & (pool.length - 1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int intArray() {
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int destination = batch[i];
            int entry = (int) ARRAY.getAcquire(tbl24, destination >>> 8);
            if (entry < 0) {
                entry = tbl8[(entry << 8) | (destination & 0xFF)];
            }
            sum += (entry & 0x7FFFFF) - 1;
        }
        return sum;
    }

    /** The same with a plain tbl24 read: what the acquire costs (on x86 only compiler ordering). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int intArrayPlainRead() {
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int destination = batch[i];
            int entry = tbl24[destination >>> 8];
            if (entry < 0) {
                entry = tbl8[(entry << 8) | (destination & 0xFF)];
            }
            sum += (entry & 0x7FFFFF) - 1;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int offHeapSegment() {
        int sum = 0;
        MemorySegment t24 = tbl24Segment;
        MemorySegment t8 = tbl8Segment;
        for (int i = 0; i < BATCH; i++) {
            int destination = batch[i];
            int entry = (int) SEGMENT.getAcquire(t24, 0L, (long) (destination >>> 8));
            if (entry < 0) {
                entry = t8.getAtIndex(ValueLayout.JAVA_INT, (entry << 8) | (destination & 0xFF));
            }
            sum += (entry & 0x7FFFFF) - 1;
        }
        return sum;
    }
}
