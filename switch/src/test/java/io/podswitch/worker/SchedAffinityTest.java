package io.podswitch.worker;

import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Sched;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** CPU pinning through FFM, as workers use it (on a scratch thread, so the test runner is not pinned). */
class SchedAffinityTest {
    @Test
    void pinsAThreadAndNamesTheErrorForACpuThatDoesNotExist() throws Exception {
        BitSet allowed = Sched.affinity(0);
        assertFalse(allowed.isEmpty());
        int cpu = allowed.previousSetBit(allowed.length());
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Sched.pinCurrentThread(cpu);
            BitSet now = Sched.affinity(0);
            try {
                Sched.pinCurrentThread(Sched.MAX_CPUS - 1);
                result.set(now);
            } catch (NativeException e) {
                result.set(new Object[] {now, e});
            }
        });
        t.start();
        t.join();
        Object[] r = (Object[]) result.get();
        BitSet only = new BitSet();
        only.set(cpu);
        assertEquals(only, r[0]);
        NativeException e = (NativeException) r[1];
        assertTrue(e.getMessage().startsWith("sched_setaffinity on 'cpus {1023}': EINVAL"), e.getMessage());
        assertEquals(allowed, Sched.affinity(0), "the test thread itself was not pinned");
        assertThrows(IllegalArgumentException.class, () -> Sched.pinCurrentThread(-1));
        assertThrows(IllegalArgumentException.class, () -> Sched.setAffinity(0, new BitSet()));
    }
}
