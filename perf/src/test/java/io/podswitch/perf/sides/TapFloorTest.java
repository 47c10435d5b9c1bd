package io.podswitch.perf.sides;

import io.podswitch.perf.baseline.Iperf3Runner;
import io.podswitch.perf.baseline.ToolFinder;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TAP floor pumps frames between two pod TAPs, one thread per core, and leaves nothing behind (root). */
class TapFloorTest {

    @Test
    @Tag("privileged")
    void podsOnOneSubnetReachEachOtherThroughThePumps() throws Exception {
        try (Topology t = Topology.create()) {
            String a = t.netns("fa");
            String b = t.netns("fb");
            PodEndpoint pa = new PodEndpoint(a, "eth0", "10.205.1.2/24", "10.205.1.1");
            PodEndpoint pb = new PodEndpoint(b, "eth0", "10.205.1.3/24", "10.205.1.1");
            try (TapFloor floor = TapFloor.connect(pa, pb, List.of(0, 1))) {
                assertEquals(2, floor.pumps(), "one pump per core");
                assertTrue(Topology.ping(a, pb.ip()), "a → b (ARP and ICMP through the pumps)");
                assertTrue(Topology.ping(b, pa.ip()), "b → a");
                Optional<Path> iperf3 = ToolFinder.fromEnvironment().find("iperf3");
                if (iperf3.isPresent()) { // bulk TCP: GSO super-frames from the offloading TAPs cross whole
                    double gbps = new Iperf3Runner(iperf3.get()).tcpGbps(a, b, pb.ip(), 5201, Duration.ofSeconds(1), 2);
                    assertTrue(gbps > 0, "TCP through the floor: " + gbps);
                }
                assertTrue(floor.cpuNanos() > 0, "the pumps ran");
            }
            assertTrue(Exec.exec(List.of("ip", "-n", a, "link", "show", "eth0"), Exec.DEFAULT_TIMEOUT).exitCode() != 0,
                    "pod interface removed");
        }
    }
}
