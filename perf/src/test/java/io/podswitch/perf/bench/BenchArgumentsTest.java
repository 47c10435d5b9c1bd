package io.podswitch.perf.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchArgumentsTest {

    private static BenchSettings run(String... args) throws UsageException {
        return assertInstanceOf(BenchInvocation.Run.class, BenchArguments.parse(args, 8)).settings();
    }

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> BenchArguments.parse(args, 8)).getMessage();
    }

    @Test
    void defaultsMeasureAllScenariosOnAllCores() throws UsageException {
        BenchSettings s = run();
        assertEquals(List.of(), s.scenarios());
        assertEquals(Duration.ofSeconds(10), s.duration());
        assertEquals(Duration.ofSeconds(3), s.warmup());
        assertEquals(5, s.repeat());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), s.cores());
        assertEquals(BenchSettings.DEFAULT_PACKET_SIZES, s.packetSizes());
        assertEquals(BenchSettings.DEFAULT_SEED, s.seed());
    }

    @Test
    void optionsAndScenarioNames() throws UsageException {
        BenchSettings s = run("tap-forward", "latency", "--duration", "2.5", "--repeat", "3", "--warmup", "500ms",
                "--cores", "2-4,7", "--packet-size", "1500,64", "--out", "/tmp/x", "--seed", "7");
        assertEquals(List.of("tap-forward", "latency"), s.scenarios());
        assertEquals(Duration.ofMillis(2500), s.duration());
        assertEquals(Duration.ofMillis(500), s.warmup());
        assertEquals(3, s.repeat());
        assertEquals(List.of(2, 3, 4, 7), s.cores());
        assertEquals(List.of(64, 1500), s.packetSizes());
        assertEquals(Path.of("/tmp/x"), s.outDir());
        assertEquals(7, s.seed());
    }

    @Test
    void smokeRunsOneShortRepetitionOfTheFirstSizeOnOneCore() throws UsageException {
        BenchSettings s = run("--smoke", "--repeat", "9", "--cores", "3-5");
        assertTrue(s.smoke());
        assertEquals(1, s.repeat());
        assertEquals(Duration.ZERO, s.warmup());
        assertEquals(List.of(3), s.cores());
        assertEquals(List.of(64), s.packetSizes());
    }

    @Test
    void sidesSelectSubjectsAndSurviveSmokeMode() throws UsageException {
        assertEquals(List.of(), run().sides());
        assertTrue(run().sideSelected("podswitch"));
        BenchSettings s = run("service", "--side", "kernel-iptables,podswitch", "--side", "kernel-nft", "--smoke");
        assertEquals(List.of("kernel-iptables", "podswitch", "kernel-nft"), s.sides());
        assertTrue(s.sideSelected("kernel-nft"));
        assertTrue(!s.sideSelected("kernel-ipvs"));
        assertTrue(error("--side", "Kernel_IPVS").contains("--side needs names like"));
        assertTrue(error("--side", "a,,b").contains("--side needs names like"));
        assertTrue(error("--side").contains("--side needs a value"));
    }

    @Test
    void badArgumentsNameTheArgument() {
        assertTrue(error("--frobnicate").contains("unknown option '--frobnicate'"));
        assertTrue(error("--duration").contains("--duration needs a value"));
        assertTrue(error("--duration", "--smoke").contains("--duration needs a value"));
        assertTrue(error("--duration", "fast").contains("--duration needs seconds"));
        assertTrue(error("--duration", "0").contains("--duration must be positive"));
        assertTrue(error("--warmup", "-1").contains("between 0 and 86400"));
        assertTrue(error("--repeat", "0").contains("--repeat must be within 1..1000"));
        assertTrue(error("--repeat", "x").contains("whole number"));
        assertTrue(error("--cores", "0-9").contains("CPU 8 is not online"));
        assertTrue(error("--cores", "3-1").contains("bad range '3-1'"));
        assertTrue(error("--cores", "a").contains("CPU list"));
        assertTrue(error("--packet-size", "32").contains("outside 64..9000"));
        assertTrue(error("--packet-size", "64,,128").contains("sizes like"));
        assertTrue(error("Bad_Name").contains("not a scenario name"));
        assertTrue(error("list", "extra").contains("list takes no arguments"));
    }

    @Test
    void compareTakesTwoFilesAndAThreshold() throws UsageException {
        BenchInvocation.Compare c = assertInstanceOf(BenchInvocation.Compare.class,
                BenchArguments.parse(new String[]{"compare", "a.json", "b.json", "--threshold", "2.5%"}, 8));
        assertEquals(Path.of("a.json"), c.oldReport());
        assertEquals(Path.of("b.json"), c.newReport());
        assertEquals(2.5, c.thresholdPercent());
        assertEquals(5.0, assertInstanceOf(BenchInvocation.Compare.class,
                BenchArguments.parse(new String[]{"compare", "a", "b"}, 8)).thresholdPercent());
        assertTrue(error("compare", "a.json").contains("exactly two report files"));
        assertTrue(error("compare", "a", "b", "--threshold", "x").contains("needs a percentage"));
        assertTrue(error("compare", "a", "b", "--threshold", "-3").contains("within 0..1000"));
        assertTrue(error("compare", "a", "b", "--fast").contains("unknown compare option"));
    }

    @Test
    void listAndHelp() throws UsageException {
        assertInstanceOf(BenchInvocation.ListScenarios.class, BenchArguments.parse(new String[]{"list"}, 1));
        assertInstanceOf(BenchInvocation.Help.class, BenchArguments.parse(new String[]{"--help"}, 1));
    }
}
