package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.report.Measurement;
import io.podswitch.perf.report.Status;
import io.podswitch.perf.topo.Exec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenarios' podswitch code paths with the kernel standing in for podswitch (root: namespaces,
 * veths). Proves the harness measures a bound side and leaves no namespace behind.
 */
@Tag("privileged")
class PrivilegedScenariosTest {

    private final ScenarioHarness harness = new ScenarioHarness();
    private final PodswitchSides sides = new PodswitchSides(Optional.empty(), Optional.of(FakeSides.KERNEL_AS_SWITCH),
            Optional.empty());

    private static List<String> benchNamespaces() throws IOException {
        return Exec.run(List.of("ip", "netns", "list")).lines().filter(l -> l.startsWith("psb")).toList();
    }

    @Test
    void latencyThroughABoundSwitchPathGivesPercentiles() throws Exception {
        List<String> before = benchNamespaces();
        List<Measurement> m = harness.run(new LatencyScenario(), sides, ToolFinder.fromEnvironment(), List.of(0));
        List<Measurement> podswitchRtt = m.stream().filter(x -> x.isPodswitch() && x.metric().equals("rtt")).toList();
        assertEquals(10, podswitchRtt.size(), "5 percentiles × 2 loads");
        assertTrue(podswitchRtt.stream().allMatch(x -> x.status() == Status.OK), podswitchRtt.toString());
        double p50 = podswitchRtt.getFirst().summary().median();
        double p9999 = podswitchRtt.get(4).summary().median();
        assertTrue(p50 > 0 && p9999 >= p50, p50 + " " + p9999);
        List<Measurement> sequential = m.stream().filter(x -> x.isPodswitch() && x.metric().equals("connection_latency")).toList();
        assertEquals(2, sequential.size(), "p50 and p99 of sequential connections");
        assertTrue(sequential.stream().allMatch(x -> x.status() == Status.OK && x.summary().median() > 0), sequential.toString());
        assertEquals(before, benchNamespaces());
    }

    @Test
    void forwardingThroughABoundSwitchPathIsMeasuredAndAfXdpRefusalIsUnavailable() throws Exception {
        ToolFinder tools = ToolFinder.fromEnvironment();
        List<String> before = benchNamespaces();
        List<Measurement> tap = harness.run(new TapForwardScenario(), sides, tools, List.of(0));
        List<Measurement> afxdp = harness.run(new AfXdpForwardScenario(), sides, tools, List.of(0));
        assertEquals(before, benchNamespaces(), "namespaces left behind");
        Measurement offered = tap.stream().filter(x -> x.isPodswitch() && x.metric().equals("offered_rate"))
                .findFirst().orElseThrow();
        if (tools.find("trafgen").isPresent()) {
            assertEquals(Status.OK, offered.status(), offered.toString());
        } else {
            assertEquals(Status.MISSING_TOOL, offered.status());
        }
        Measurement refused = afxdp.stream().filter(Measurement::isPodswitch).findFirst().orElseThrow();
        assertEquals(tools.find("trafgen").isPresent() ? Status.UNAVAILABLE : Status.MISSING_TOOL, refused.status());
    }
}
