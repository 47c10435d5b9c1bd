package io.podswitch.perf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.sides.PodswitchdPodNetwork;
import io.podswitch.perf.topo.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The second runtime: containerd (Debian's 1.6.20) with {@code ctr run --cni} and the plugin
 * {@code podswitch install-cni} installed — go-cni 1.1.7 on libcni v1.1.2, the CNI library of
 * containerd's CRI plugin too (kubelet's path). A container gets a dual-stack address from podswitchd
 * and reaches its gateway over IPv4 and IPv6; {@code --rm} runs DEL after the container and its
 * network namespace are gone, and the address comes back.
 */
@Tag("privileged")
class ContainerdPrivilegedTest {

    @Test
    void ctrRunWithCniWiresAContainerThroughPodswitchAndReleasesItOnExit() throws Exception {
        try (PodNetwork node = PodswitchdPodNetwork.start("IPv4,IPv6", 16);
             Containerd containerd = new Containerd(Files.createTempDirectory("podswitch-containerd-"))) {
            Path confDir = Files.createDirectories(containerd.dir().resolve("net.d"));
            Files.writeString(confDir.resolve("10-podswitch.conflist"), node.conflist("podswitch"));
            Path rootfs = BusyboxRootfs.create(containerd.dir().resolve("rootfs"));
            Exec.Result run = containerd.runWithCni(node.cniBinDir(), confDir, rootfs, "podswitch-ctr-test", "/bin/sh",
                    "-c", "ip -o addr show eth0 && ping -c 1 -W 2 " + node.gateway(false) + " && ping -c 1 -W 2 "
                            + node.gateway(true));
            assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
            assertTrue(run.stdout().contains("inet 10.204.") && run.stdout().contains("inet6 fd00:204:"), run.stdout());
            assertEquals(Map.of(), node.pods(), "ctr --rm ran DEL");
            assertEquals(1, node.allocations().size(), "only the host port's addresses remain: " + node.allocations());
        }
    }
}
