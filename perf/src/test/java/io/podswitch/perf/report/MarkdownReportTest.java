package io.podswitch.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkdownReportTest {

    @Test
    void podswitchStandsNextToItsBaselineWithTheRatio() {
        String md = MarkdownReport.render(SampleReports.full("Xeon"), List.of());
        assertTrue(md.contains("| forwarded_rate (Mpps, higher is better) | packet_size=64 | 2 [1.9–2.2] | kernel-forward | 1 [0.9–1.1] | 2× |"),
                md);
    }

    @Test
    void eachScenarioShowsTheJvmItsSubjectsRanIn() {
        String md = MarkdownReport.render(SampleReports.full("Xeon"), List.of());
        assertTrue(md.contains("| podswitch | bench JVM | C1+C2 | `-XX:+UseG1GC --add-opens=a/b=c` | without "
                + "-XX:+UseTransparentHugePages |"), md);
    }

    @Test
    void ratioIsOrientedSoAboveOneMeansPodswitchIsBetter() {
        String md = MarkdownReport.render(SampleReports.full("Xeon"), List.of());
        // latency p50: podswitch 50.5 µs, bridge 100.5 µs, lower is better → 100.5/50.5 ≈ 1.99
        assertTrue(md.contains("| 50.5 [50–51] | linux-bridge | 101 [100–101] | 1.99× |"), md);
        assertEquals(1.99, Figures.ratio(50.5, 100.5, Direction.LOWER_IS_BETTER), 0.01);
        assertEquals(0.5, Figures.ratio(1, 2, Direction.HIGHER_IS_BETTER));
        assertTrue(Double.isNaN(Figures.ratio(1, 0, Direction.HIGHER_IS_BETTER)));
    }

    @Test
    void notMeasuredFiguresAreWordsNotNumbers() {
        String md = MarkdownReport.render(SampleReports.full("Xeon"), List.of());
        assertTrue(md.contains("| unavailable in this build: no CniSide is bound | — | — | — |"), md);
        Measurement bound = SampleReports.ok("t", "podswitch", "m", Direction.HIGHER_IS_BETTER, Map.of(), 5)
                .withStatus(Status.GENERATOR_BOUND, "offered 5 not above forwarded 5");
        assertTrue(MarkdownReport.figure(bound).startsWith("generator-bound: not reported as switch capacity"));
        assertTrue(!MarkdownReport.figure(bound).contains("[5"), "no figure for a generator-bound rate");
    }

    @Test
    void machineMissingToolsAndChartsAreListed() {
        String md = MarkdownReport.render(SampleReports.full("Xeon"), List.of("latency-latency-rtt.svg"));
        assertTrue(md.contains("| CPU | Xeon (8 logical cores, 3000 MHz max) |"), md);
        assertTrue(md.contains("| dpdk-test | fib | apt-get install -y dpdk |"), md);
        assertTrue(md.contains("![latency-latency-rtt.svg](charts/latency-latency-rtt.svg)"), md);
        assertTrue(md.contains("cni | pipes"), "descriptions are prose, not cells");
    }

    @Test
    void cellsEscapePipesAndLineBreaks() {
        assertEquals("a\\|b c", MarkdownReport.cell("a|b\nc"));
    }

    @Test
    void baselineWithoutPodswitchFigureStillGetsARow() {
        String table = MarkdownReport.table(List.of(SampleReports.ok("fib", "dpdk-lpm", "lookup_cycles",
                Direction.LOWER_IS_BETTER, Map.of("family", "ipv4"), 19.4)));
        assertTrue(table.contains("| family=ipv4 | — | dpdk-lpm | 19.4 | — |"), table);
    }

    @Test
    void figuresHaveThreeSignificantDigits() {
        assertEquals("12.3", Figures.format(12.345));
        assertEquals("1230000", Figures.format(1234567));
        assertEquals("0.00123", Figures.format(0.0012345));
        assertEquals("0", Figures.format(0));
    }
}
