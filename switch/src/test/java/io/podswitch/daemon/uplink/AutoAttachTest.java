package io.podswitch.daemon.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.model.UplinkAttach;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@code uplink.attach: auto}: tap with a tunnel on a kernel that has it, else af_xdp; the rest as configured. */
class AutoAttachTest {
    private final AtomicInteger probes = new AtomicInteger();

    private BooleanSupplier kernel(boolean tunnelTap) {
        return () -> {
            probes.incrementAndGet();
            return tunnelTap;
        };
    }

    @Test
    void autoIsTapWithATunnelOnAKernelThatHasIt() {
        UplinkChoice c = AutoAttach.choose(UplinkAttach.AUTO, true, kernel(true));
        assertEquals(UplinkAttach.TAP, c.attach());
        assertEquals("tap (auto: this kernel's TAP takes the UDP tunnel offloads)", c.describe());
        assertEquals(1, probes.get());
    }

    @Test
    void autoIsAfXdpOnAKernelWithoutTheTunnelTap() {
        UplinkChoice c = AutoAttach.choose(UplinkAttach.AUTO, true, kernel(false));
        assertEquals(UplinkAttach.AF_XDP, c.attach());
        assertEquals("af_xdp (auto: this kernel's TAP refuses TUN_F_UDP_TUNNEL_GSO: tap needs Linux 6.17+)", c.describe());
    }

    @Test
    void autoIsAfXdpInDirectModeWithoutAskingTheKernel() {
        UplinkChoice c = AutoAttach.choose(UplinkAttach.AUTO, false, kernel(true));
        assertEquals(UplinkAttach.AF_XDP, c.attach());
        assertEquals("af_xdp (auto: direct mode: no tunnel to carry super-frames whole)", c.describe());
        assertEquals(0, probes.get());
    }

    @Test
    void explicitChoicesStandWithoutAskingTheKernel() {
        for (UplinkAttach a : new UplinkAttach[] {UplinkAttach.AF_XDP, UplinkAttach.UDP, UplinkAttach.TAP}) {
            UplinkChoice c = AutoAttach.choose(a, true, kernel(false));
            assertEquals(a, c.attach());
            assertEquals(a.configName() + " (configured)", c.describe());
        }
        assertEquals(0, probes.get());
    }

    @Test
    void onlyTheOffloadRefusalMeansNo() {
        assertTrue(AutoAttach.lacksTunnelOffloads(NativeException.of("TUNSETOFFLOAD", AutoAttach.PROBE_TAP, Errno.EINVAL)));
        assertFalse(AutoAttach.lacksTunnelOffloads(NativeException.of("TUNSETOFFLOAD", AutoAttach.PROBE_TAP, Errno.EPERM)));
        assertFalse(AutoAttach.lacksTunnelOffloads(NativeException.of("TUNSETIFF", AutoAttach.PROBE_TAP, Errno.EINVAL)));
    }
}
