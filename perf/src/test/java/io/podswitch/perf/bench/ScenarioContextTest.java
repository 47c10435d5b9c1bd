package io.podswitch.perf.bench;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.MissingTool;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioContextTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<MissingTool> missing = new ArrayList<>();

    private ScenarioContext context(Duration warmup, int repeat) {
        BenchSettings s = new BenchSettings(List.of(), Duration.ofSeconds(2), warmup, repeat, List.of(0),
                List.of(64), Path.of("out"), false, 1);
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), () -> 0L);
        p.plan(2, s.stepDuration(), s.duration());
        return new ScenarioContext("demo", s, PodswitchSides.none(), new ToolFinder(List.of()),
                new ToolFinder(List.of()), false, p, missing);
    }

    @Test
    void warmUpRunsFirstAndIsExcluded() throws Exception {
        List<Duration> calls = new ArrayList<>();
        Samples s = context(Duration.ofSeconds(1), 3).measure("step", d -> {
            calls.add(d);
            return Map.of("rate", (double) calls.size());
        });
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)),
                calls);
        assertArrayEquals(new double[]{2, 3, 4}, s.get("rate"));
    }

    @Test
    void noWarmUpWhenZeroOrDeclined() throws Exception {
        int[] calls = {0};
        context(Duration.ZERO, 2).measure("a", d -> Map.of("x", (double) ++calls[0]));
        assertEquals(2, calls[0]);
        context(Duration.ofSeconds(1), 2).measure("b", d -> Map.of("x", (double) ++calls[0]), false);
        assertEquals(4, calls[0]);
    }

    @Test
    void progressSaysWhereWeAreAndWhatIsLeft() throws Exception {
        context(Duration.ZERO, 2).measure("tap 64B", d -> Map.of("x", 1.0));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[1/2] demo tap 64B rep 1/2 — ~8s left"), text);
        assertTrue(text.contains("[1/2] demo tap 64B rep 2/2 — ~6s left"), text);
        assertEquals("1m20s", Progress.human(Duration.ofSeconds(80)));
        assertEquals("2h05m", Progress.human(Duration.ofMinutes(125)));
    }

    @Test
    void missingToolsAreRecordedOnce() {
        ScenarioContext c = context(Duration.ZERO, 1);
        assertTrue(c.tool("no-such-tool-podswitch", "apt-get install -y x").isEmpty());
        assertTrue(c.tool("no-such-tool-podswitch", "apt-get install -y x").isEmpty());
        assertTrue(c.cniPlugin("bridge", "apt-get install -y containernetworking-plugins").isEmpty());
        assertEquals(List.of(new MissingTool("no-such-tool-podswitch", "demo", "apt-get install -y x"),
                new MissingTool("CNI plugin bridge", "demo", "apt-get install -y containernetworking-plugins")), missing);
    }

    @Test
    void aMetricMissingFromOneRepetitionIsAScenarioBug() {
        int[] n = {0};
        assertThrows(IllegalStateException.class, () -> context(Duration.ZERO, 2).measure("x",
                d -> ++n[0] == 1 ? Map.of("a", 1.0, "b", 2.0) : Map.of("a", 1.0)));
    }

    @Test
    void seedsAreFixedPerScenario() {
        assertEquals(context(Duration.ZERO, 1).random().nextLong(), context(Duration.ZERO, 1).random().nextLong());
    }
}
