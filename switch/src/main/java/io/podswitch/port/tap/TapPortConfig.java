package io.podswitch.port.tap;

import io.podswitch.nativeio.Ifreq;

/**
 * How to open a TAP port.
 * @param name interface name (at most 15 bytes); an existing persistent TAP of that name is re-attached
 * @param mtu MTU to set on the interface (68..1500 while offloads are off: frames must fit 2 KiB), 0 = leave
 * @param mac hardware address of the interface in the low 48 bits, 0 = leave (kernel's random one)
 * @param persistent keep the interface when the descriptors close, so a restarted daemon can re-attach
 * @param queues number of queues (&gt; 1 opens the TAP with IFF_MULTI_QUEUE, one descriptor per queue)
 */
public record TapPortConfig(String name, int mtu, long mac, boolean persistent, int queues) {
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
    }

    /** One queue, not persistent, MTU 1500, kernel-chosen MAC. */
    public static TapPortConfig of(String name) {
        return new TapPortConfig(name, 1500, 0, false, 1);
    }
}
