package io.podswitch.port;

import io.podswitch.packet.FrameSlab;

/**
 * Transmit offloads a {@link Port} declares with {@link Port#offloads()}: bits saying which
 * unfinished packets it can take as they are. The bits mirror the TAP's TUN_F_* offloads.
 */
public final class PortOffloads {
    /** Every packet must be complete: full checksums, at most MTU-sized. */
    public static final int NONE = 0;
    /** Packets whose L4 checksum is partial ({@link FrameSlab#NEEDS_CSUM}) are finished by the peer. */
    public static final int CHECKSUM = 1;
    /** TCP/IPv4 GSO super-frames are segmented by the peer. */
    public static final int TSO4 = 2;
    /** TCP/IPv6 GSO super-frames are segmented by the peer. */
    public static final int TSO6 = 4;
    /**
     * TCP super-frames inside a UDP tunnel ({@link FrameSlab#GSO_UDP_TUNNEL_IPV4} / {@code _IPV6} added to the
     * GSO type) are segmented by the peer, outer headers included: the {@code tap} uplink's TAP.
     */
    public static final int UDP_TUNNEL = 8;
    /** Everything a TAP with offloads takes. */
    public static final int ALL = CHECKSUM | TSO4 | TSO6;

    private PortOffloads() {
    }

    /** Whether a port with these offloads can send the frame as it is (no software segmentation or checksum). */
    public static boolean accepts(int offloads, FrameSlab slab, int frame) {
        int type = slab.gsoType(frame);
        int gso = type & ~(FrameSlab.GSO_ECN | FrameSlab.GSO_UDP_TUNNEL);
        if (gso != FrameSlab.GSO_NONE) {
            int need = gso == FrameSlab.GSO_TCPV4 ? TSO4 | CHECKSUM : gso == FrameSlab.GSO_TCPV6 ? TSO6 | CHECKSUM : -1;
            if ((type & FrameSlab.GSO_UDP_TUNNEL) != 0) {
                need |= UDP_TUNNEL;
            }
            return need != -1 && (offloads & need) == need;
        }
        return (slab.offloadFlags(frame) & FrameSlab.NEEDS_CSUM) == 0 || (offloads & CHECKSUM) != 0;
    }
}
