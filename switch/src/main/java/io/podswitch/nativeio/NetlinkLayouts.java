package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The rtnetlink wire structures and constants (linux/netlink.h, linux/rtnetlink.h,
 * linux/if_link.h, linux/if_addr.h, linux/neighbour.h). All fields are in host byte order
 * (little endian here) except the addresses inside attributes, which are in network order.
 *
 * <p>A message is a header, a family-specific fixed struct, then attributes, each padded to 4 bytes:
 * <pre>
 *  +-----------------+----------------------------+--------+--------+-----+
 *  | nlmsghdr (16)   | ifinfomsg / ifaddrmsg /    | rtattr | rtattr | ... |
 *  |                 | rtmsg / ndmsg              | + data | + data |     |
 *  +-----------------+----------------------------+--------+--------+-----+
 *  |<------------------------- nlmsg_len ------------------------------->|
 * </pre>
 */
public final class NetlinkLayouts {
    private NetlinkLayouts() {
    }

    /**
     * <pre>
     *  0           4           6           8           12          16
     *  +-----------+-----------+-----------+-----------+-----------+
     *  | len (u32) | type(u16) | flags(u16)| seq (u32) | pid (u32) |
     *  +-----------+-----------+-----------+-----------+-----------+
     * </pre>
     */
    public static final StructLayout NLMSGHDR = MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid"));

    /**
     * The payload of an NLMSG_ERROR message (an ACK when error is 0); with NETLINK_CAP_ACK only the
     * request's header is echoed, followed by extended-ACK attributes (NLMSGERR_ATTR_MSG: text).
     * <pre>
     *  0             4                      20
     *  +-------------+----------------------+----------------------+
     *  | error (s32) | nlmsghdr of request  | ext-ack rtattrs ...  |
     *  | -errno / 0  | (16)                 | (if NLM_F_ACK_TLVS)  |
     *  +-------------+----------------------+----------------------+
     * </pre>
     */
    public static final StructLayout NLMSGERR = MemoryLayout.structLayout(
            JAVA_INT.withName("error"),
            NLMSGHDR.withName("msg"));

    /**
     * <pre>
     *  0           2           4
     *  +-----------+-----------+-------------- - -
     *  | len (u16) | type(u16) | data, padded to 4
     *  +-----------+-----------+-------------- - -
     *  len counts the 4-byte header and the data, not the padding; bit 15 of type = NLA_F_NESTED
     * </pre>
     */
    public static final StructLayout RTATTR = MemoryLayout.structLayout(
            JAVA_SHORT.withName("rta_len"),
            JAVA_SHORT.withName("rta_type"));

    /**
     * <pre>
     *  0            2            4           8             12
     *  +------------+------------+-----------+-------------+
     *  | family u16 | pad u16    | pid u32   | groups u32  |
     *  | AF_NETLINK |            | 0=kernel  | multicast   |
     *  +------------+------------+-----------+-------------+
     * </pre>
     */
    public static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"));

    /**
     * <pre>
     *  0       1       2          4            8            12           16
     *  +-------+-------+----------+------------+------------+------------+
     *  |family | pad   | type u16 | index s32  | flags u32  | change u32 |
     *  |  u8   |  u8   | ARPHRD_* |            | IFF_*      | mask       |
     *  +-------+-------+----------+------------+------------+------------+
     * </pre>
     */
    public static final StructLayout IFINFOMSG = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifi_family"),
            JAVA_BYTE.withName("ifi_pad"),
            JAVA_SHORT.withName("ifi_type"),
            JAVA_INT.withName("ifi_index"),
            JAVA_INT.withName("ifi_flags"),
            JAVA_INT.withName("ifi_change"));

    /**
     * <pre>
     *  0        1           2        3        4             8
     *  +--------+-----------+--------+--------+-------------+
     *  | family | prefixlen | flags  | scope  | index (u32) |
     *  +--------+-----------+--------+--------+-------------+
     * </pre>
     */
    public static final StructLayout IFADDRMSG = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifa_family"),
            JAVA_BYTE.withName("ifa_prefixlen"),
            JAVA_BYTE.withName("ifa_flags"),
            JAVA_BYTE.withName("ifa_scope"),
            JAVA_INT.withName("ifa_index"));

    /**
     * <pre>
     *  0        1        2        3      4       5          6       7      8            12
     *  +--------+--------+--------+------+-------+----------+-------+------+------------+
     *  | family | dst_len| src_len| tos  | table | protocol | scope | type | flags u32  |
     *  +--------+--------+--------+------+-------+----------+-------+------+------------+
     * </pre>
     */
    public static final StructLayout RTMSG = MemoryLayout.structLayout(
            JAVA_BYTE.withName("rtm_family"),
            JAVA_BYTE.withName("rtm_dst_len"),
            JAVA_BYTE.withName("rtm_src_len"),
            JAVA_BYTE.withName("rtm_tos"),
            JAVA_BYTE.withName("rtm_table"),
            JAVA_BYTE.withName("rtm_protocol"),
            JAVA_BYTE.withName("rtm_scope"),
            JAVA_BYTE.withName("rtm_type"),
            JAVA_INT.withName("rtm_flags"));

    /**
     * <pre>
     *  0        1       2       4              8            10      11     12
     *  +--------+-------+-------+--------------+------------+-------+------+
     *  | family | pad1  | pad2  | ifindex s32  | state u16  | flags | type |
     *  +--------+-------+-------+--------------+------------+-------+------+
     * </pre>
     */
    public static final StructLayout NDMSG = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ndm_family"),
            JAVA_BYTE.withName("ndm_pad1"),
            JAVA_SHORT.withName("ndm_pad2"),
            JAVA_INT.withName("ndm_ifindex"),
            JAVA_SHORT.withName("ndm_state"),
            JAVA_BYTE.withName("ndm_flags"),
            JAVA_BYTE.withName("ndm_type"));

    public static final int NLMSGHDR_SIZE = (int) NLMSGHDR.byteSize();
    public static final int RTATTR_SIZE = (int) RTATTR.byteSize();
    public static final int IFINFOMSG_SIZE = (int) IFINFOMSG.byteSize();
    public static final int IFADDRMSG_SIZE = (int) IFADDRMSG.byteSize();
    public static final int RTMSG_SIZE = (int) RTMSG.byteSize();
    public static final int NDMSG_SIZE = (int) NDMSG.byteSize();

    // nlmsghdr field offsets
    public static final long NLMSG_LEN = 0;
    public static final long NLMSG_TYPE = 4;
    public static final long NLMSG_FLAGS = 6;
    public static final long NLMSG_SEQ = 8;
    public static final long NLMSG_PID = 12;

    // protocol and socket options
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    // message types
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    // nlmsg_flags
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_DUMP = 0x300;
    /** In an NLMSG_ERROR: the echoed request was cut to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** In an NLMSG_ERROR: extended-ACK attributes follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLA_F_NESTED = 0x8000;

    // link attributes
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_AF_SPEC = 26;
    /** In IFLA_AF_SPEC / AF_INET: the nested array of IPv4 device settings (linux/if_link.h). */
    public static final int IFLA_INET_CONF = 1;
    /** Indices into IFLA_INET_CONF (enum in linux/ip.h): /proc/sys/net/ipv4/conf/DEV/rp_filter and accept_local. */
    public static final int IPV4_DEVCONF_RP_FILTER = 8;
    public static final int IPV4_DEVCONF_ACCEPT_LOCAL = 23;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int VETH_INFO_PEER = 1;
    public static final int IFF_UP = 0x1;
    /** Operationally up: the driver has carrier (a TAP: its descriptor is attached). */
    public static final int IFF_RUNNING = 0x40;

    // address attributes
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02;

    // route attributes and values
    public static final int RTA_DST = 1;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_TABLE = 15;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_NOWHERE = 255;
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTNH_F_ONLINK = 0x4;

    // neighbour attributes and states
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NUD_NONE = 0x00;
    /** Every state in which the entry's link-layer address is usable (the kernel's NUD_VALID). */
    public static final int NUD_VALID = 0x02 | 0x80 | 0x40 | 0x04 | 0x08 | 0x10;
    /** Extended neighbour flags (u32), e.g. {@link #NTF_EXT_MANAGED}. */
    public static final int NDA_FLAGS_EXT = 15;
    /** A kernel-managed entry: the kernel resolves it and keeps it resolved (Linux 5.16+). */
    public static final int NTF_EXT_MANAGED = 1;

    /** Rounds up to the 4-byte netlink alignment (NLMSG_ALIGN / RTA_ALIGN). */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
