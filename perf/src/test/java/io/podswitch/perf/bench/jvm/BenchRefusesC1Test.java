package io.podswitch.perf.bench.jvm;

import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Report;
import io.podswitch.perf.report.ReportJson;
import io.podswitch.perf.report.ScenarioInfo;
import io.podswitch.perf.report.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench started the way it was before issue 16 — in a C1-only JVM ({@code -XX:TieredStopAtLevel=1})
 * — refuses every podswitch figure of the engine instead of publishing a tenth of the product's speed,
 * and its report says which JVM the subject was in.
 */
class BenchRefusesC1Test {

    @Test
    void aC1OnlyBenchJvmMeasuresNoPodswitchFigure(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ShippedJvmFlags.common());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.podswitch.perf.bench.BenchCommand", "engine", "--smoke", "--cores", "0", "--packet-size", "64",
                "--out", dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", ""); // no dpdk-testpmd: the baseline is reported missing, quickly
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bench hung");
        assertEquals(0, p.exitValue(), out);

        Report report = ReportJson.read(dir.resolve("report.json"));
        List<Measurement> podswitch = report.measurements().stream().filter(Measurement::isPodswitch).toList();
        assertFalse(podswitch.isEmpty());
        for (Measurement m : podswitch) {
            assertEquals(Status.FAILED, m.status(), m.toString());
            assertTrue(m.note().contains("refused") && m.note().contains("C1 only"), m.note());
        }
        ScenarioInfo engine = report.scenarios().getFirst();
        assertEquals("C1 only", engine.subjects().getFirst().compilers());
        assertTrue(engine.subjects().getFirst().jvmFlags().contains("-XX:TieredStopAtLevel=1"));
    }
}
