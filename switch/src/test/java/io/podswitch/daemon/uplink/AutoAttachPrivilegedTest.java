package io.podswitch.daemon.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.podswitch.nativeio.KernelRelease;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The probe behind {@code uplink.attach: auto} against the running kernel: it answers yes exactly on Linux
 * 6.17+ (where tun takes {@code TUN_F_UDP_TUNNEL_GSO}), and leaves no TAP behind. Runs in a namespace of its
 * own, so it never meets a daemon's probe.
 */
@Tag("privileged")
class AutoAttachPrivilegedTest {

    @Test
    void theProbeAnswersByTheKernelsTunAndLeavesNothing() throws Exception {
        boolean expected = KernelRelease.atLeast(6, 17);
        String ns = "psauto" + NetnsFixture.suffix();
        NetnsFixture.run("ip", "netns", "add", ns);
        try {
            boolean supported = Netns.call(ns, AutoAttach::tunnelTapSupported);
            assertEquals(expected, supported, "kernel " + KernelRelease.text());
            boolean left = Netns.call(ns, () -> {
                try (Netlink netlink = Netlink.open()) {
                    return netlink.findLink(AutoAttach.PROBE_TAP).isPresent();
                }
            });
            assertFalse(left, "the probe TAP is gone with its descriptor");
        } finally {
            NetnsFixture.quietly("ip", "netns", "del", ns);
        }
    }
}
