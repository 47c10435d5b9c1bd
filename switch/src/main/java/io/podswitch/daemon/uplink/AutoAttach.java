package io.podswitch.daemon.uplink;

import io.podswitch.config.model.UplinkAttach;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Tun;
import io.podswitch.nativeio.VirtioNetHeader;
import java.util.function.BooleanSupplier;

/**
 * What {@code uplink.attach: auto} means on this node, decided once at start: {@code tap} when there is a
 * tunnel to carry super-frames through (vxlan/geneve) and this kernel's TAP takes the UDP tunnel offloads
 * (Linux 6.17+), else {@code af_xdp}. In direct mode {@code tap} would route like {@code udp}:
 * nothing to carry whole, so auto takes {@code af_xdp} there. Control thread only.
 */
public final class AutoAttach {
    /** The throwaway TAP of the probe (15 characters, IFNAMSIZ): not persistent, gone with its descriptor. */
    static final String PROBE_TAP = "podswitch-probe";

    private AutoAttach() {
    }

    /**
     * The attachment to open and why: {@code configured} as it is unless it is {@link UplinkAttach#AUTO};
     * then {@link UplinkAttach#TAP} when {@code tunnels} and {@code tunnelTap} says the kernel has it, else
     * {@link UplinkAttach#AF_XDP}. {@code tunnelTap} is asked only when the answer matters.
     */
    public static UplinkChoice choose(UplinkAttach configured, boolean tunnels, BooleanSupplier tunnelTap) {
        if (configured != UplinkAttach.AUTO) {
            return new UplinkChoice(configured, configured, "configured");
        }
        if (!tunnels) {
            return new UplinkChoice(configured, UplinkAttach.AF_XDP, "direct mode: no tunnel to carry super-frames whole");
        }
        return tunnelTap.getAsBoolean()
                ? new UplinkChoice(configured, UplinkAttach.TAP, "this kernel's TAP takes the UDP tunnel offloads")
                : new UplinkChoice(configured, UplinkAttach.AF_XDP,
                        "this kernel's TAP refuses TUN_F_UDP_TUNNEL_GSO: tap needs Linux 6.17+");
    }

    /**
     * Does this kernel take the tunnel TAP of {@link TapUplink}? Creates a TAP in the calling thread's network
     * namespace, sets the same header size and offloads, and closes it at once (never brought up: no
     * addresses, no traffic, gone with its descriptor). No when TUNSETOFFLOAD is
     * refused with EINVAL (a kernel before 6.17 does not know {@code TUN_F_UDP_TUNNEL_GSO}: tun answers
     * unknown bits with EINVAL, the way it lets callers test for features). Any other failure (no
     * CAP_NET_ADMIN, no /dev/net/tun) is thrown: it would stop every attachment, and naming it beats a fallback
     * that fails later.
     */
    public static boolean tunnelTapSupported() {
        int fd = Tun.open(PROBE_TAP, Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR);
        try {
            Tun.setVnetHeaderSize(fd, PROBE_TAP, VirtioNetHeader.TUNNEL_SIZE);
            Tun.setOffload(fd, PROBE_TAP, Tun.TUN_F_TUNNEL_OFFLOADS);
            return true;
        } catch (NativeException e) {
            if (lacksTunnelOffloads(e)) {
                return false;
            }
            throw e;
        } finally {
            Libc.close(fd);
        }
    }

    /** Is {@code e} the kernel's "unknown offload bits" answer to the tunnel TAP's TUNSETOFFLOAD? */
    static boolean lacksTunnelOffloads(NativeException e) {
        return "TUNSETOFFLOAD".equals(e.call()) && e.errno() == Errno.EINVAL;
    }
}
