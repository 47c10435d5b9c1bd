package io.podswitch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonOptionsTest {
    @Test
    void defaults() throws Exception {
        DaemonOptions o = DaemonOptions.parse(new String[0], Map.of());
        assertEquals(Path.of("/etc/podswitch/cluster.yaml"), o.config());
        assertEquals(Path.of("/run/podswitch/podswitchd.sock"), o.socket());
        assertEquals(Path.of("/run/podswitch/stats"), o.statsFile());
        assertEquals(Path.of("/var/lib/podswitch"), o.stateDir());
        assertEquals(1, o.workers());
        assertEquals("adaptive", o.idle());
        assertEquals("podswitch0", o.hostPortName());
        assertNull(o.nodeName());
        assertEquals(65_536, o.engineConfig().serviceFlows());
    }

    @Test
    void nodeFromFlagBeatsEnvironment() throws Exception {
        assertEquals("env-node", DaemonOptions.parse(new String[0], Map.of("NODE_NAME", "env-node")).nodeName());
        assertEquals("flag", DaemonOptions.parse(new String[] {"--node", "flag"}, Map.of("NODE_NAME", "env")).nodeName());
    }

    @Test
    void everyOption() throws Exception {
        DaemonOptions o = DaemonOptions.parse(new String[] {"--config", "c.yaml", "--state-dir", "/s", "--run-dir", "/r",
                "--workers", "2", "--idle", "spin", "--frames", "8192", "--host-port", "psw0", "--max-pods", "10",
                "--service-flows", "262144"}, Map.of());
        assertEquals(262_144, o.engineConfig().serviceFlows());
        assertEquals(2, o.workers());
        assertEquals("spin", o.idle());
        assertEquals(8192, o.frames());
        assertEquals(Path.of("/r/podswitchd.sock"), o.socket());
        assertEquals(12, o.engineConfig().maxPorts());
    }

    @Test
    void badCommandLines() {
        for (String[] args : new String[][] {{"--workers", "0"}, {"--workers", "x"}, {"--idle", "banana"},
                {"--frames", "10"}, {"--host-port", "much-too-long-name0"}, {"--bogus", "1"}, {"--config"},
                {"--workers", "4", "--frames", "4096"}, {"--service-flows", "100000"}, {"--service-flows", "512"},
                {"--service-flows", "8388608"}}) {
            assertThrows(DaemonOptions.UsageException.class, () -> DaemonOptions.parse(args, Map.of()), String.join(" ", args));
        }
    }

    @Test
    void serviceFlowsThatDoNotFitTheHeapAreRefusedNamingTheNeed() {
        // 64 workers x 4 Mi flows x 140 B = 35 GiB: more than half of any test JVM's heap.
        DaemonOptions.UsageException e = assertThrows(DaemonOptions.UsageException.class, () -> DaemonOptions.parse(
                new String[] {"--workers", "64", "--frames", "131072", "--service-flows", "4194304"}, Map.of()));
        assertTrue(e.getMessage().contains("35840 MiB of heap"), e.getMessage());
        assertTrue(e.getMessage().contains("podswitchd.flags"), e.getMessage());
    }

    @Test
    void invalidConfigExitsTwoWithEveryErrorPositioned(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "ipFamilies: [IPv5]\npodCIDRs: [10.0.0.0/33]\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Podswitchd.run(new String[] {"--config", config.toString()}, Map.of());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, exit);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(config + ":1:"), text);
        assertTrue(text.contains(config + ":2:"), text);
    }

    @Test
    void badUsageExits64() {
        PrintStream old = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream()));
        try {
            assertEquals(64, Podswitchd.run(new String[] {"--workers", "0"}, Map.of()));
        } finally {
            System.setErr(old);
        }
    }
}
