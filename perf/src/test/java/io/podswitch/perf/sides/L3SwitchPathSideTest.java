package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.bench.side.PortKind;
import io.podswitch.perf.bench.side.SwitchPath;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two pods routed through the real switch, by TAP and by AF_XDP on veths (root: namespaces). */
class L3SwitchPathSideTest {

    private final L3SwitchPathSide side = new L3SwitchPathSide();

    @Test
    void isTheRegisteredSwitchPathSide() {
        assertInstanceOf(L3SwitchPathSide.class, PodswitchSides.load().switchPath().orElseThrow());
    }

    @Test
    void refusesIpv6PodsBeforeTouchingAnything() {
        PodEndpoint v6 = new PodEndpoint("nonexistent", "eth0", "fd00::2/64", "fd00::1");
        assertThrows(IllegalArgumentException.class, () -> side.connect(PortKind.TAP, v6, v6, List.of()));
    }

    @ParameterizedTest
    @EnumSource(PortKind.class)
    @Tag("privileged")
    void podsReachEachOtherThroughTheSwitchAndNothingIsLeftBehind(PortKind kind) throws Exception {
        List<String> linksBefore = rootLinks();
        try (Topology t = Topology.create()) {
            String a = t.netns("pa");
            String b = t.netns("pb");
            PodEndpoint pa = new PodEndpoint(a, "eth0", "10.203.1.2/24", "10.203.1.1");
            PodEndpoint pb = new PodEndpoint(b, "eth0", "10.203.2.2/24", "10.203.2.1");
            try (SwitchPath path = side.connect(kind, pa, pb, List.of(0))) {
                assertTrue(Topology.ping(a, pb.ip()), "a → b");
                assertTrue(Topology.ping(b, pa.ip()), "b → a");
                assertTrue(Topology.ping(a, pa.gateway()), "the switch answers for the gateway");
                assertTrue(path.cpuNanos() > 0);
            }
            assertTrue(Exec.exec(List.of("ip", "-n", a, "link", "show", "eth0"), Exec.DEFAULT_TIMEOUT).exitCode() != 0,
                    "pod interface removed");
        }
        assertEquals(linksBefore, rootLinks(), "veths left in the root namespace");
    }

    @Test
    @Tag("privileged")
    void tapPodsGetOneWorkerPerCoreAndTheirQueuesSpreadOverThem() throws Exception {
        try (Topology t = Topology.create()) {
            String a = t.netns("pa");
            String b = t.netns("pb");
            PodEndpoint pa = new PodEndpoint(a, "eth0", "10.204.1.2/24", "10.204.1.1");
            PodEndpoint pb = new PodEndpoint(b, "eth0", "10.204.2.2/24", "10.204.2.1");
            try (L3SwitchPath path = (L3SwitchPath) side.connect(PortKind.TAP, pa, pb, List.of(0, 1))) {
                assertEquals(2, path.workers(), "one worker per core, as podswitchd --workers 2");
                for (int i = 0; i < 2; i++) {
                    assertEquals(3, path.port(i).queueCount(), "workers + 1 queues per TAP (queue 0 sparse, 1..2 heavy)");
                }
                assertTrue(Topology.ping(a, pb.ip()), "a → b");
                assertTrue(Topology.ping(b, pa.ip()), "b → a");
            }
        }
    }

    private static List<String> rootLinks() throws IOException {
        return Exec.run(List.of("ip", "-o", "link", "show")).lines().map(l -> l.split(":")[1].trim())
                .filter(n -> n.startsWith("psx")).toList();
    }
}
