package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.BackgroundProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start of testpmd's measured window, with shells standing in for it: a statistics block printed
 * after a slow start opens the window while the process runs; an exit before forwarding and a start that
 * never ends are errors that name their cause.
 */
class TestpmdStartTest {

    private static BackgroundProcess fake(String script) throws IOException {
        return BackgroundProcess.start(List.of("sh", "-c", script));
    }

    @Test
    void theWindowOpensAtTheFirstStatisticsBlockAfterASlowStart() throws Exception {
        try (BackgroundProcess p = fake("echo 'EAL: Detected 2 lcore(s)'; sleep 1.5; "
                + "printf '\\033[2J\\033[1;1H\\nPort statistics ====================================\\n'; exec sleep 60")) {
            assertDoesNotThrow(() -> TestpmdRunner.awaitFirstStatistics(p, Duration.ofSeconds(60)));
            assertTrue(p.isAlive(), "the window opens while testpmd forwards, not at its exit");
        }
    }

    @Test
    void anExitBeforeForwardingNamesTheExitCode() throws Exception {
        try (BackgroundProcess p = fake("echo 'EAL: Cannot create lock on /var/run/dpdk' >&2; exit 1")) {
            IOException e = assertThrows(IOException.class,
                    () -> TestpmdRunner.awaitFirstStatistics(p, Duration.ofSeconds(60)));
            assertTrue(e.getMessage().contains("exited before forwarding (1)")
                    && e.getMessage().contains("Cannot create lock"), e.getMessage());
        }
    }

    @Test
    void aStartThatNeverEndsIsBoundedWithItsCause() throws Exception {
        try (BackgroundProcess p = fake("echo 'EAL: Detected 2 lcore(s)'; exec sleep 60")) {
            IOException e = assertThrows(IOException.class,
                    () -> TestpmdRunner.awaitFirstStatistics(p, Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("printed no statistics within 1 s of its launch")
                    && e.getMessage().contains("Detected 2 lcore"), e.getMessage());
        }
    }
}
