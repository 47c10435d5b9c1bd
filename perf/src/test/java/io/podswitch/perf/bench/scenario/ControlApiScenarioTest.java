package io.podswitch.perf.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.RootCheck;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * control-api in smoke settings: every server answers the plugin's ADDs, each with a p50 and a p99 no smaller,
 * under the same parameters (so the report pairs them); the real-data-plane step needs root and, as root, runs
 * a real podswitchd serving both servers.
 */
class ControlApiScenarioTest {

    @Test
    void fakedDataPlaneMeasuresEveryServerWithTheSameParametersAndRealNeedsRoot() throws Exception {
        List<Measurement> m = run(false);
        List<Measurement> faked = step(m, "faked");
        Set<String> subjects = subjects(faked);
        assertTrue(subjects.containsAll(Set.of(Measurement.PODSWITCH, ControlApiScenario.HAND_WRITTEN)), subjects.toString());
        assertTrue(Set.of(Measurement.PODSWITCH, ControlApiScenario.HAND_WRITTEN, ControlApiScenario.NETTY_NIO)
                .containsAll(subjects), subjects.toString());
        assertMeasured(faked, subjects);
        List<Measurement> real = step(m, "real");
        assertEquals(4, real.size(), real.toString());
        assertTrue(real.stream().allMatch(x -> x.status() == Status.NEEDS_ROOT), real.toString());
    }

    @Test
    @Tag("privileged")
    void asRootTheRealDaemonServesBothServers() throws Exception {
        Assumptions.assumeTrue(RootCheck.isRoot(), "needs root");
        List<Measurement> real = step(run(true), "real");
        assertMeasured(real, Set.of(Measurement.PODSWITCH, ControlApiScenario.HAND_WRITTEN));
        // A real ADD (TAP, netns, IPAM fsyncs) takes milliseconds, not the faked step's microseconds.
        assertTrue(median(real, Measurement.PODSWITCH, ControlApiScenario.ADD_P50.name()) > 1_000, real.toString());
    }

    private static List<Measurement> run(boolean root) throws Exception {
        return new ScenarioHarness().run(new ControlApiScenario(), PodswitchSides.none(), ToolFinder.fromEnvironment(),
                List.of(0), root);
    }

    private static List<Measurement> step(List<Measurement> m, String dataPlane) {
        return m.stream().filter(x -> dataPlane.equals(x.parameters().get("data_plane"))).toList();
    }

    private static Set<String> subjects(List<Measurement> m) {
        return m.stream().map(Measurement::subject).collect(Collectors.toSet());
    }

    private static void assertMeasured(List<Measurement> m, Set<String> subjects) {
        assertEquals(subjects, subjects(m));
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
