package io.podswitch.perf.topo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming reader of {@link BackgroundProcess} with real short-lived shells: a line is seen while the
 * process still runs (waiting on the whole output would block until its exit), a wait is bounded, a line
 * cut across two writes matches only once complete, and the end of the output ends a wait at once.
 */
class BackgroundProcessTest {

    private static BackgroundProcess shell(String script) throws Exception {
        return BackgroundProcess.start(List.of("sh", "-c", script));
    }

    @Test
    void aLineIsSeenWhileTheProcessStillRuns() throws Exception {
        try (BackgroundProcess p = shell("echo starting; sleep 0.2; echo 'Port statistics ===='; exec sleep 60")) {
            long t0 = System.nanoTime();
            Optional<String> line = p.awaitStdoutLine(l -> l.contains("Port statistics"), Duration.ofSeconds(30));
            assertEquals(Optional.of("Port statistics ===="), line);
            assertTrue(p.isAlive(), "seen before the exit");
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "not at the bound");
            assertFalse(p.stdoutEnded());
            assertEquals("starting\nPort statistics ====\n", p.outputSoFar());
        }
    }

    @Test
    void aWaitIsBoundedWhileNothingMatches() throws Exception {
        try (BackgroundProcess p = shell("echo hello; echo oops >&2; exec sleep 60")) {
            assertEquals(Optional.of("hello"), p.awaitStdoutLine("hello"::equals, Duration.ofSeconds(30)));
            long t0 = System.nanoTime();
            assertEquals(Optional.empty(), p.awaitStdoutLine(l -> l.contains("never"), Duration.ofMillis(300)));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= Duration.ofMillis(290).toNanos() && waited < Duration.ofSeconds(20).toNanos(),
                    waited + " ns");
            assertTrue(p.isAlive());
            assertFalse(p.stdoutEnded());
        }
    }

    @Test
    void aLineCutAcrossTwoWritesMatchesOnlyOnceComplete() throws Exception {
        try (BackgroundProcess p = shell("printf 'Port sta'; sleep 1; printf 'tistics\\r\\n'; exec sleep 60")) {
            assertEquals(Optional.empty(), p.awaitStdoutLine(l -> l.startsWith("Port sta"), Duration.ofMillis(300)),
                    "half a line is no line");
            assertEquals(Optional.of("Port statistics"),
                    p.awaitStdoutLine(l -> l.startsWith("Port sta"), Duration.ofSeconds(30)));
        }
    }

    @Test
    void theEndOfTheOutputEndsAWaitAtOnce() throws Exception {
        try (BackgroundProcess p = shell("echo one; echo two >&2; printf last; exit 3")) {
            long t0 = System.nanoTime();
            assertEquals(Optional.empty(), p.awaitStdoutLine(l -> l.contains("never"), Duration.ofSeconds(60)));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "not at the bound");
            assertTrue(p.stdoutEnded());
            assertEquals(Optional.of("last"), p.awaitStdoutLine("last"::equals, Duration.ofSeconds(1)),
                    "an unterminated last line counts once the output ended");
            assertTrue(p.waitFor(10_000));
            assertEquals(3, p.exitCode());
            assertEquals("one\nlast", p.stdout());
            assertEquals("two\n", p.stderr());
        }
    }
}
