package io.podswitch.overlay;

/** Why the decapsulator rejected a frame; indices into the counters, with stable names. */
public final class DecapDrop {
    /** Shorter than the headers it claims to carry (Ethernet, IP, UDP, tunnel header, inner Ethernet). */
    public static final int TOO_SHORT = 0;
    /** Outer EtherType is neither IPv4 nor IPv6, or the IP version does not match it. */
    public static final int NOT_IP = 1;
    /** IPv4 IHL below 5, or IP/UDP length fields that disagree with each other or the frame. */
    public static final int BAD_LENGTH = 2;
    /** Outer IPv4 header checksum, or a non-zero outer UDP checksum, is wrong; or IPv6 UDP checksum 0. */
    public static final int BAD_CHECKSUM = 3;
    /** An outer IPv4 fragment: tunnel endpoints do not reassemble. */
    public static final int FRAGMENT = 4;
    /** Outer protocol / next header is not UDP (IPv6 extension headers included). */
    public static final int NOT_UDP = 5;
    /** The outer source address belongs to no configured peer. */
    public static final int UNKNOWN_PEER = 6;
    /** The outer destination is not the local address configured for the peer. */
    public static final int WRONG_DESTINATION = 7;
    /** The UDP destination port is not the peer's tunnel port. */
    public static final int BAD_PORT = 8;
    /** VXLAN without the I flag; Geneve with a version other than 0, or the O (control) bit set. */
    public static final int BAD_FLAGS = 9;
    /** Geneve options longer than the packet, or critical options (C bit) this switch cannot understand. */
    public static final int BAD_GENEVE_OPTIONS = 10;
    /** Geneve protocol type other than Transparent Ethernet Bridging (0x6558). */
    public static final int BAD_PROTOCOL = 11;
    /** The VNI is not the peer's. */
    public static final int BAD_VNI = 12;
    /**
     * A super-frame that is no TCP super-frame inside the tunnel with its partial checksum on the inner
     * transport header (only the {@code tap} uplink hands over super-frames).
     */
    public static final int BAD_OFFLOAD = 13;
    public static final int COUNT = 14;

    static final String[] NAMES = {"too_short", "not_ip", "bad_length", "bad_checksum", "fragment", "not_udp",
            "unknown_peer", "wrong_destination", "bad_port", "bad_flags", "bad_geneve_options", "bad_protocol",
            "bad_vni", "bad_offload"};
    static final String[] COUNTER_NAMES = new String[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            COUNTER_NAMES[i] = "overlay.decap.drop." + NAMES[i];
        }
    }

    private DecapDrop() {
    }

    public static String name(int reason) {
        return NAMES[reason];
    }
}
