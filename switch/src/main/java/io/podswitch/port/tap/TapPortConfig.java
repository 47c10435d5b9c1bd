package io.podswitch.port.tap;

import io.podswitch.nativeio.Ifreq;
import io.podswitch.nativeio.VirtioNetHeader;

/**
 * How to open a TAP port.
 * @param name interface name (at most 15 bytes); an existing persistent TAP of that name is re-attached
 * @param mtu MTU to set on the interface (68..1500 while offloads are off: frames must fit 2 KiB), 0 = leave
 * @param mac hardware address of the interface in the low 48 bits, 0 = leave (kernel's random one)
 * @param persistent keep the interface when the descriptors close, so a restarted daemon can re-attach
 * @param queues number of queues (&gt; 1 opens the TAP with IFF_MULTI_QUEUE, one descriptor per queue)
 * @param offloads negotiate checksum and TSO offloads with the kernel (TUNSETOFFLOAD CSUM|TSO4|TSO6):
 *     the TAP then hands over and takes GSO super-frames up to 64 KiB; needs a slab with large frames
 * @param tunnelOffloads also TCP super-frames inside a UDP tunnel (TUN_F_UDP_TUNNEL_GSO[_CSUM], with the
 *     24-byte header): the {@code tap} uplink's TAP, which carries whole VXLAN/Geneve super-frames; implies offloads
 */
public record TapPortConfig(String name, int mtu, long mac, boolean persistent, int queues, boolean offloads,
                            boolean tunnelOffloads) {
    /** The largest MTU whose frames (plus VLAN tag and virtio-net header) fit a 2 KiB frame with headroom. */
    public static final int MAX_MTU = 1500;

    public TapPortConfig {
        Ifreq.checkName(name, "TUNSETIFF");
        if (mtu != 0 && (mtu < 68 || mtu > MAX_MTU)) {
            throw new IllegalArgumentException("TAP " + name + ": MTU " + mtu + " out of range [68, " + MAX_MTU + "]");
        }
        if ((mac >>> 48) != 0 || (mac != 0 && ((mac >>> 40) & 1) != 0)) {
            throw new IllegalArgumentException("TAP " + name + ": not a unicast 48-bit MAC: 0x" + Long.toHexString(mac));
        }
        if (queues < 1 || queues > 256) {
            throw new IllegalArgumentException("TAP " + name + ": queues " + queues + " out of range [1, 256]");
        }
        if (tunnelOffloads && !offloads) {
            throw new IllegalArgumentException("TAP " + name + ": tunnel offloads need the TCP offloads");
        }
    }

    public TapPortConfig(String name, int mtu, long mac, boolean persistent, int queues, boolean offloads) {
        this(name, mtu, mac, persistent, queues, offloads, false);
    }

    /** Without offloads (every packet complete and at most MTU-sized both ways). */
    public TapPortConfig(String name, int mtu, long mac, boolean persistent, int queues) {
        this(name, mtu, mac, persistent, queues, false);
    }

    /** The same configuration with offloads on or off. */
    public TapPortConfig withOffloads(boolean on) {
        return new TapPortConfig(name, mtu, mac, persistent, queues, on, on && tunnelOffloads);
    }

    /** The same configuration with TCP and UDP-tunnel offloads on. */
    public TapPortConfig withTunnelOffloads() {
        return new TapPortConfig(name, mtu, mac, persistent, queues, true, true);
    }

    /** The virtio-net header size the TAP is opened with: 24 with tunnel offloads, else 12. */
    public int vnetHeaderSize() {
        return tunnelOffloads ? VirtioNetHeader.TUNNEL_SIZE : VirtioNetHeader.SIZE;
    }

    /** One queue, not persistent, MTU 1500, kernel-chosen MAC, no offloads. */
    public static TapPortConfig of(String name) {
        return new TapPortConfig(name, 1500, 0, false, 1);
    }
}
