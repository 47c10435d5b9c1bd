package io.podswitch.packet;

/**
 * ARP for IPv4 over Ethernet (RFC 826), offsets from the start of the ARP header.
 *
 * <pre>
 *  0       2       4   5   6       8                       14              18
 *  +-------+-------+---+---+-------+-----------------------+---------------+
 *  | htype | ptype |hln|pln| oper  | sender MAC (SHA)      | sender IP(SPA)|
 *  +-------+-------+---+---+-------+-----------------------+---------------+
 *  | target MAC (THA)      | target IP (TPA) |
 *  +-----------------------+-----------------+
 *  18                      24                28
 * </pre>
 */
public final class Arp {
    public static final int HARDWARE_TYPE = 0;
    public static final int PROTOCOL_TYPE = 2;
    public static final int HARDWARE_LENGTH = 4;
    public static final int PROTOCOL_LENGTH = 5;
    public static final int OPERATION = 6;
    public static final int SENDER_MAC = 8;
    public static final int SENDER_IP = 14;
    public static final int TARGET_MAC = 18;
    public static final int TARGET_IP = 24;
    public static final int LENGTH = 28;

    public static final int HARDWARE_ETHERNET = 1;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    private Arp() {
    }
}
