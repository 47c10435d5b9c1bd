package io.podswitch.perf.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportComparisonTest {

    private static Report one(String metric, Direction d, double... values) {
        return SampleReports.withMeasurements(List.of(SampleReports.ok("s", "podswitch", metric, d,
                Map.of("packet_size", "64"), values)));
    }

    private static ReportComparison.Verdict verdict(Report old, Report current, double threshold) {
        List<ReportComparison.Row> rows = ReportComparison.compare(old, current, threshold).rows();
        assertEquals(1, rows.size());
        return rows.getFirst().verdict();
    }

    @Test
    void lowerThroughputBeyondThresholdIsARegression() {
        assertEquals(ReportComparison.Verdict.REGRESSION,
                verdict(one("t", Direction.HIGHER_IS_BETTER, 10), one("t", Direction.HIGHER_IS_BETTER, 9), 5));
    }

    @Test
    void higherLatencyBeyondThresholdIsARegression() {
        assertEquals(ReportComparison.Verdict.REGRESSION,
                verdict(one("l", Direction.LOWER_IS_BETTER, 10), one("l", Direction.LOWER_IS_BETTER, 11), 5));
        assertEquals(ReportComparison.Verdict.IMPROVEMENT,
                verdict(one("l", Direction.LOWER_IS_BETTER, 10), one("l", Direction.LOWER_IS_BETTER, 9), 5));
    }

    @Test
    void changesWithinTheThresholdAreUnchanged() {
        assertEquals(ReportComparison.Verdict.UNCHANGED,
                verdict(one("t", Direction.HIGHER_IS_BETTER, 10), one("t", Direction.HIGHER_IS_BETTER, 9.6), 5));
        assertEquals(ReportComparison.Verdict.REGRESSION,
                verdict(one("t", Direction.HIGHER_IS_BETTER, 10), one("t", Direction.HIGHER_IS_BETTER, 9.6), 3));
    }

    @Test
    void mediansAreCompared() {
        // old median 10, new median 10 although the new max dropped a lot
        assertEquals(ReportComparison.Verdict.UNCHANGED, verdict(one("t", Direction.HIGHER_IS_BETTER, 9, 10, 11),
                one("t", Direction.HIGHER_IS_BETTER, 2, 10, 11), 5));
    }

    @Test
    void missingAndNotMeasuredFiguresAreListedButAreNotRegressions() {
        Report old = SampleReports.full("Xeon");
        Report current = SampleReports.withMeasurements(List.of(
                SampleReports.ok("new", "podswitch", "x", Direction.HIGHER_IS_BETTER, Map.of(), 1),
                old.measurements().getFirst().withStatus(Status.FAILED, "boom")));
        ReportComparison.Result r = ReportComparison.compare(old, current, 5);
        assertEquals(0, r.regressions());
        assertEquals(ReportComparison.Verdict.NOT_MEASURED, r.rows().getFirst().verdict());
        assertTrue(r.rows().stream().anyMatch(x -> x.verdict() == ReportComparison.Verdict.ONLY_IN_OLD));
        assertTrue(r.rows().stream().anyMatch(x -> x.verdict() == ReportComparison.Verdict.ONLY_IN_NEW));
    }

    @Test
    void matchingUsesParametersAndSubject() {
        Report old = SampleReports.withMeasurements(List.of(SampleReports.ok("s", "podswitch", "t",
                Direction.HIGHER_IS_BETTER, Map.of("packet_size", "64"), 10)));
        Report current = SampleReports.withMeasurements(List.of(SampleReports.ok("s", "podswitch", "t",
                Direction.HIGHER_IS_BETTER, Map.of("packet_size", "1500"), 1)));
        ReportComparison.Result r = ReportComparison.compare(old, current, 5);
        assertEquals(0, r.regressions());
        assertEquals(2, r.rows().size());
    }

    @Test
    void tableListsRegressionsFirstAndWarnsAboutDifferentMachines() {
        ReportComparison.Result r = ReportComparison.compare(SampleReports.full("Xeon"),
                degrade(SampleReports.full("EPYC")), 5);
        String table = ReportComparison.table(r);
        assertTrue(table.startsWith("warning: the reports come from different machines"), table);
        int firstRow = table.indexOf("| regression |");
        assertTrue(firstRow > 0 && firstRow < table.indexOf("| unchanged |"), table);
        assertTrue(table.contains("-50 %"), table);
    }

    @Test
    void negativeThresholdIsRefused() {
        Report r = SampleReports.full("Xeon");
        assertThrows(IllegalArgumentException.class, () -> ReportComparison.compare(r, r, -1));
    }

    private static Report degrade(Report r) {
        List<Measurement> m = new java.util.ArrayList<>(r.measurements());
        Measurement first = m.getFirst();
        double[] halved = first.values().clone();
        for (int i = 0; i < halved.length; i++) {
            halved[i] /= 2;
        }
        m.set(0, new Measurement(first.scenario(), first.subject(), first.metric(), first.unit(), first.direction(),
                first.parameters(), first.status(), halved, first.note()));
        return new Report(r.schemaVersion(), r.machine(), r.settings(), r.scenarios(), r.missingTools(), m);
    }
}
