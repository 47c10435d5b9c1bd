package io.podswitch.graph;

/**
 * What the graph remembers about a packet between nodes, struct-of-arrays indexed by frame index
 * (VPP keeps the same in vlib_buffer_t's opaque area): the adjacency the lookup chose, flags, the
 * ICMP error a node asked for, and a reply's source before the service stage translated it.
 */
final class FrameMetadata {
    /** The destination MAC was broadcast or multicast: never forwarded, never answered with an error. */
    static final byte L2_MULTICAST = 1;
    /** The switch built this packet (echo reply, ICMP error): no TTL decrement, no ICMP error about it. */
    static final byte ORIGINATED = 2;
    /** overlay-decap unwrapped this frame: ethernet-input takes it as is (no VLAN, never decapsulated twice). */
    static final byte DECAPSULATED = 4;
    /**
     * The service stage translated this reply back (backend → VIP, or an ICMP error about a service flow):
     * the policy stage judges it by the source it had before ({@link #natSourceHigh} …), the address its
     * connection was allowed with.
     */
    static final byte UN_NATED = 8;

    /** Pseudo adjacency: an IPv6 link-local destination, sent back out of the input port. */
    static final int ADJ_LINK_LOCAL = -2;

    final int[] adjacency;
    final byte[] flags;
    /** ICMP error requested: type << 8 | code. */
    final int[] icmpTypeCode;
    /** ICMP error parameter: the MTU for "fragmentation needed" / "packet too big". */
    final int[] icmpParam;
    /** With {@link #UN_NATED}: the packet's source address (IPv4 mapped) and port before the translation. */
    final long[] natSourceHigh;
    final long[] natSourceLow;
    final int[] natSourcePort;

    FrameMetadata(int frameCount) {
        adjacency = new int[frameCount];
        flags = new byte[frameCount];
        icmpTypeCode = new int[frameCount];
        icmpParam = new int[frameCount];
        natSourceHigh = new long[frameCount];
        natSourceLow = new long[frameCount];
        natSourcePort = new int[frameCount];
    }

    /** The service stage un-NATed the frame; remembers where it came from (see {@link #UN_NATED}). */
    void unNated(int frame, long sourceHigh, long sourceLow, int sourcePort) {
        flags[frame] |= UN_NATED;
        natSourceHigh[frame] = sourceHigh;
        natSourceLow[frame] = sourceLow;
        natSourcePort[frame] = sourcePort;
    }

    boolean has(int frame, byte flag) {
        return (flags[frame] & flag) != 0;
    }

    void requestError(int frame, int type, int code, int param) {
        icmpTypeCode[frame] = type << 8 | code;
        icmpParam[frame] = param;
    }
}
