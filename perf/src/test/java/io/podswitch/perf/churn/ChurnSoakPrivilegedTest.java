package io.podswitch.perf.churn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.sides.PodswitchdPodNetwork;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The churn soak, short (the long one is {@code podswitch bench cni-churn}): 30 pod lifecycles, three
 * at a time, through the installed plugin against a dual-stack podswitchd that is killed with SIGKILL
 * twice during ADDs and started again, with every 9th plugin call killed mid-call — and not one
 * invariant broken (see {@link ChurnSoak}).
 */
@Tag("privileged")
class ChurnSoakPrivilegedTest {

    @Test
    void addAndDelWithDaemonAndPluginKillsLoseNothing() throws Exception {
        ChurnSettings settings = new ChurnSettings(30, 3, List.of(8, 20), 9, 15, 200, 42);
        try (PodNetwork node = PodswitchdPodNetwork.start("IPv4,IPv6", 64)) {
            ChurnReport report = new ChurnSoak(node, settings, System.err::println).run();
            System.err.println(report.summary());
            assertEquals(List.of(), report.violations(), report.summary());
            assertEquals(30, report.cycles());
            assertEquals(2, report.daemonKills());
            assertTrue(report.pluginKillCount() > 0, report.summary());
            assertTrue(report.addsOk() > 15, "most ADDs succeed: " + report.summary());
            assertEquals(2, report.drains().size(), "a checkpoint at rest mid-way and at the end");
        }
    }
}
