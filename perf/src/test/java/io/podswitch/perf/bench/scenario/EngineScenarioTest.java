package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineScenarioTest {

    private final ScenarioHarness harness = new ScenarioHarness();

    @Test
    void boundEngineIsMeasuredPerModeAndWorkerCountAndMissingTestpmdIsReported() throws Exception {
        PodswitchSides sides = new PodswitchSides(Optional.of(FakeSides.ENGINE), Optional.empty(), Optional.empty());
        List<Measurement> m = harness.run(new EngineScenario(), sides, new ToolFinder(List.of()), List.of(0, 1));
        List<Measurement> podswitch = m.stream().filter(Measurement::isPodswitch).toList();
        assertEquals(2 * 3 * 3, podswitch.size(), "2 worker counts × 3 modes × 3 metrics");
        assertTrue(podswitch.stream().allMatch(x -> x.status() == Status.OK), podswitch.toString());
        Measurement twoWorkers = podswitch.stream().filter(x -> x.metric().equals("throughput")
                && x.parameters().get("workers").equals("2") && x.parameters().get("mode").equals("ip4")).findFirst()
                .orElseThrow();
        assertEquals(4.0, twoWorkers.summary().median(), 0.2);
        List<Measurement> baseline = m.stream().filter(x -> !x.isPodswitch()).toList();
        assertTrue(baseline.stream().allMatch(x -> x.status() == Status.MISSING_TOOL), baseline.toString());
        assertEquals("dpdk-testpmd", harness.missing.getFirst().tool());
    }

    @Test
    void unboundEngineIsUnavailableInWordsNotANumber() throws Exception {
        List<Measurement> m = harness.run(new EngineScenario(), PodswitchSides.none(), new ToolFinder(List.of()),
                List.of(0));
        Measurement first = m.getFirst();
        assertEquals(Status.UNAVAILABLE, first.status());
        assertEquals(0, first.values().length);
        assertTrue(first.note().contains("no EngineSide is bound"), first.note());
    }
}
