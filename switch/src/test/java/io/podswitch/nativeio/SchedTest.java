package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SchedTest {

    /** Field 19 of /proc/thread-self/stat is the thread's nice value; the comm field (2) may hold spaces. */
    private static int niceOfThisThread() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] afterComm = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(afterComm[19 - 3]);
    }

    @Test
    void setCurrentThreadNiceChangesOnlyTheCallingThread() throws Exception {
        int before = niceOfThisThread();
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Sched.setCurrentThreadNice(Sched.NICEST);
                seen.set(niceOfThisThread());
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.join();
        assertEquals(Sched.NICEST, seen.get());
        assertEquals(before, niceOfThisThread(), "the caller's own thread was not changed");
    }

    @Test
    void aNiceOutsideTheKernelsRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Sched.setCurrentThreadNice(20));
        assertThrows(IllegalArgumentException.class, () -> Sched.setCurrentThreadNice(-21));
    }
}
