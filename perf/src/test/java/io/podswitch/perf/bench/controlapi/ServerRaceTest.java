package io.podswitch.perf.bench.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerRaceTest {

    @Test
    void everyRoundCallsEachServerOnceInARotatingOrderAndReportsItsPercentiles() throws Exception {
        List<String> order = new ArrayList<>();
        Map<String, ServerRace.Call> servers = new LinkedHashMap<>();
        servers.put("a", round -> order.add("a" + round));
        servers.put("b", round -> order.add("b" + round));
        servers.put("c", round -> {
            order.add("c" + round);
            Thread.sleep(2);
        });
        Map<String, Double> out = new ServerRace(servers).run(Duration.ZERO, 3, "p50", "p99");
        assertEquals(List.of("a0", "b0", "c0", "b1", "c1", "a1", "c2", "a2", "b2"), order);
        assertEquals(3.0, out.get("calls_per_server"));
        assertTrue(out.get("c/p50") >= 2_000, out.toString());
        assertTrue(out.get("a/p50") < out.get("c/p50"), out.toString());
        assertTrue(out.get("c/p99") >= out.get("c/p50"), out.toString());
    }
}
