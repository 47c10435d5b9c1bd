package io.podswitch.graph;

/**
 * What the graph remembers about a packet between nodes, struct-of-arrays indexed by frame index
 * (VPP keeps the same in vlib_buffer_t's opaque area): the adjacency the lookup chose, flags, and
 * the ICMP error a node asked for.
 */
final class FrameMetadata {
    /** The destination MAC was broadcast or multicast: never forwarded, never answered with an error. */
    static final byte L2_MULTICAST = 1;
    /** The switch built this packet (echo reply, ICMP error): no TTL decrement, no ICMP error about it. */
    static final byte ORIGINATED = 2;
    /** overlay-decap unwrapped this frame: ethernet-input takes it as is (no VLAN, never decapsulated twice). */
    static final byte DECAPSULATED = 4;

    /** Pseudo adjacency: an IPv6 link-local destination, sent back out of the input port. */
    static final int ADJ_LINK_LOCAL = -2;

    final int[] adjacency;
    final byte[] flags;
    /** ICMP error requested: type << 8 | code. */
    final int[] icmpTypeCode;
    /** ICMP error parameter: the MTU for "fragmentation needed" / "packet too big". */
    final int[] icmpParam;

    FrameMetadata(int frameCount) {
        adjacency = new int[frameCount];
        flags = new byte[frameCount];
        icmpTypeCode = new int[frameCount];
        icmpParam = new int[frameCount];
    }

    boolean has(int frame, byte flag) {
        return (flags[frame] & flag) != 0;
    }

    void requestError(int frame, int type, int code, int param) {
        icmpTypeCode[frame] = type << 8 | code;
        icmpParam[frame] = param;
    }
}
