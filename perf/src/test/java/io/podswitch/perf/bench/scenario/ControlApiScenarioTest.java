package io.podswitch.perf.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** control-api in smoke settings: both servers answer the plugin's ADDs, each with a p50 and a p99 no smaller. */
class ControlApiScenarioTest {

    @Test
    void bothServersAreMeasuredWithTheSameMetricsAndParameters() throws Exception {
        List<Measurement> m = new ScenarioHarness().run(new ControlApiScenario(), PodswitchSides.none(),
                ToolFinder.fromEnvironment(), List.of(0));
        Set<String> subjects = m.stream().map(Measurement::subject).collect(Collectors.toSet());
        assertTrue(subjects.containsAll(Set.of(Measurement.PODSWITCH, ControlApiScenario.HAND_WRITTEN)), subjects.toString());
        assertTrue(Set.of(Measurement.PODSWITCH, ControlApiScenario.HAND_WRITTEN, ControlApiScenario.NETTY_NIO)
                .containsAll(subjects), subjects.toString());
        assertEquals(2 * subjects.size(), m.size(), m.toString());
        assertTrue(m.stream().allMatch(x -> x.status() == Status.OK), m.toString());
        assertEquals(1, m.stream().map(Measurement::parameters).distinct().count(), "the report pairs them by parameters");
        for (String subject : subjects) {
            double p50 = median(m, subject, ControlApiScenario.ADD_P50.name());
            double p99 = median(m, subject, ControlApiScenario.ADD_P99.name());
            assertTrue(p50 > 0 && p99 >= p50, subject + ": p50 " + p50 + " p99 " + p99);
        }
    }

    private static double median(List<Measurement> m, String subject, String metric) {
        return m.stream().filter(x -> x.subject().equals(subject) && x.metric().equals(metric)).findFirst()
                .orElseThrow().summary().median();
    }
}
