package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.CniSide;
import io.podswitch.perf.bench.side.PodswitchSides;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CNI side wires a real pod through a real podswitchd, and finish() leaves nothing behind. */
class PodswitchdCniSideTest {

    @Test
    void isTheRegisteredCniSide() {
        assertInstanceOf(PodswitchdCniSide.class, PodswitchSides.load().cni().orElseThrow());
    }

    @Test
    void launcherExecsThePluginClassWithQuotedArguments(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path script = PodswitchdCniSide.launcher(dir, "/a b/x.jar:/it's/y.jar");
        String text = Files.readString(script);
        assertTrue(text.startsWith("#!/bin/sh\nexec '"), text);
        assertTrue(text.contains("'/a b/x.jar:/it'\\''s/y.jar' '" + PodswitchdCniSide.PLUGIN_CLASS + "' \"$@\""), text);
        assertTrue(Files.isExecutable(script));
    }

    @Test
    @Tag("privileged")
    void addGivesThePodAnAddressAndDelAndFinishCleanUp() throws Exception {
        PodswitchdCniSide side = new PodswitchdCniSide();
        try (Topology t = Topology.create()) {
            String ns = t.netns("cni");
            Path netns = Path.of("/var/run/netns", ns);
            try {
                side.add(ns, netns, "eth0");
                String addr = Exec.run(List.of("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"));
                assertTrue(addr.contains("inet 10.204."), addr);
                side.del(ns, netns, "eth0");
                // DEL answers before the kernel removes the TAP (docs/daemon.md, DEL step 10): gone moments later
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (Exec.exec(List.of("ip", "-n", ns, "link", "show", "eth0"), Exec.DEFAULT_TIMEOUT).exitCode() == 0) {
                    assertTrue(System.nanoTime() - deadline < 0, "DEL removes the pod interface");
                    Thread.sleep(20);
                }
            } finally {
                side.finish();
            }
        }
        try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertFalse(dirs.anyMatch(p -> p.getFileName().toString().startsWith("podswitch-bench-cni-")
                    && Files.exists(p.resolve("daemon.log"))), "daemon directory left behind");
        }
    }
}
