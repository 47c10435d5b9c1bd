package io.podswitch.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/** The data-path side of both FIBs allocates nothing (ThreadMXBean per-thread allocation counter). */
class FibLookupAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void ip4AndIp6LookupsDoNotAllocate() {
        Ip4Fib fib4 = new Ip4Fib(16);
        fib4.add(0x0A000000, 8, 1);
        fib4.add(0x0A010200, 25, 2);
        Ip6Fib fib6 = new Ip6Fib(64);
        fib6.add(0x20010db800000000L, 0, 32, 3);
        fib6.add(0x20010db800000000L, 0x100, 120, 4);
        int[] destinations = new int[256];
        int[] results = new int[256];
        long[] highs = new long[256];
        long[] lows = new long[256];
        for (int i = 0; i < 256; i++) {
            destinations[i] = 0x0A010200 | i;
            highs[i] = 0x20010db800000000L;
            lows[i] = i;
        }
        long sum = run(fib4, fib6, destinations, results, highs, lows, 20_000); // warm up, let the JIT compile
        // Up to four windows, one clean passes: a late C2 compile in a shared JVM can allocate once; a
        // per-lookup allocation would show in every window.
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 4 && least != 0; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            sum += run(fib4, fib6, destinations, results, highs, lows, 20_000);
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        assertNotEquals(0, sum);
        assertEquals(0, least, "bytes allocated by 7.7 million lookups in the cleanest window");
    }

    private static long run(Ip4Fib fib4, Ip6Fib fib6, int[] destinations, int[] results, long[] highs, long[] lows, int rounds) {
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 256; i += 2) {
                sum += fib4.lookup(destinations[i]) + fib6.lookup(highs[i], lows[i]);
            }
            fib4.lookupBulk(destinations, results, 64);
            fib6.lookupBulk(highs, lows, results, 64);
            sum += results[63];
        }
        return sum;
    }
}
