package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.XskMemlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Without CAP_IPC_LOCK a UMEM larger than RLIMIT_MEMLOCK cannot be pinned; the error says so, with
 * the sizes. The child JVM runs with CAP_IPC_LOCK removed from its bounding set (setpriv).
 */
@Tag("privileged")
class AfXdpMemlockTest {
    @Test
    void umemOverTheMemlockLimitWithoutCapIpcLockIsExplained() throws Exception {
        long limit = XskMemlock.memlockLimitBytes();
        if (limit < 0) {
            return; // unlimited memlock: nothing can exceed it (not the case on the CI machine: 8 MiB)
        }
        int frames = (int) Math.min(Integer.MAX_VALUE, (limit * 2) / 2048 + 1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("setpriv", "--bounding-set", "-ipc_lock", "--", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                UmemRegisterMain.class.getName(), Integer.toString(frames))
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("XDP_UMEM_REG on 'lo queue 0'"), out);
        assertTrue(out.contains("CAP_IPC_LOCK is absent"), out);
        assertTrue(out.contains("RLIMIT_MEMLOCK is"), out);
    }

    @Test
    void thisProcessMayPinLargeUmems() {
        // As root with CAP_IPC_LOCK (how the switch runs); the description names what it found.
        assertTrue(XskMemlock.hasCapIpcLock());
        assertTrue(XskMemlock.describe(64L << 20).contains("CAP_IPC_LOCK is present"));
    }
}
