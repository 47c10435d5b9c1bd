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
        assertEquals(UplinkAttach.TAP, AutoAttach.resolve(UplinkAttach.AUTO, true, kernel(true)));
        assertEquals(1, probes.get());
    }

    @Test
    void autoIsTheDefaultOnAKernelWithoutTheTunnelTap() {
        assertEquals(UplinkAttach.AF_XDP, AutoAttach.resolve(UplinkAttach.AUTO, true, kernel(false)));
    }

    @Test
    void autoIsTheDefaultInDirectModeWithoutAskingTheKernel() {
        assertEquals(UplinkAttach.AF_XDP, AutoAttach.resolve(UplinkAttach.AUTO, false, kernel(true)));
        assertEquals(0, probes.get());
    }

    @Test
    void explicitChoicesStandWithoutAskingTheKernel() {
        for (UplinkAttach a : new UplinkAttach[] {UplinkAttach.AF_XDP, UplinkAttach.UDP, UplinkAttach.TAP}) {
            assertEquals(a, AutoAttach.resolve(a, true, kernel(false)));
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
