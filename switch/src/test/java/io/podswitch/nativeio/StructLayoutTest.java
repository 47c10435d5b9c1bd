package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import org.junit.jupiter.api.Test;

/**
 * Sizes and field offsets of the kernel structs against the values the kernel headers give on
 * x86-64 (Linux 6.x uapi; measured with {@code sizeof}/{@code offsetof} in a throwaway C file,
 * which stays out of the repository). A mismatch here means a wrong layout would corrupt a call.
 */
class StructLayoutTest {
    private static long offset(MemoryLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    @Test
    void ifreq() {
        assertEquals(40, Ifreq.LAYOUT.byteSize());
        assertEquals(0, offset(Ifreq.LAYOUT, "ifr_name"));
        assertEquals(16, offset(Ifreq.LAYOUT, "ifr_ifru", "ifr_flags"));
        assertEquals(16, offset(Ifreq.LAYOUT, "ifr_ifru", "ifr_ifindex"));
        assertEquals(16, offset(Ifreq.LAYOUT, "ifr_ifru", "ifr_hwaddr"));
        assertEquals(16, Ifreq.FLAGS);
        assertEquals(16, Ifreq.IFNAMSIZ);
    }

    @Test
    void nlmsghdr() {
        var l = NetlinkLayouts.NLMSGHDR;
        assertEquals(16, l.byteSize());
        assertEquals(0, offset(l, "nlmsg_len"));
        assertEquals(4, offset(l, "nlmsg_type"));
        assertEquals(6, offset(l, "nlmsg_flags"));
        assertEquals(8, offset(l, "nlmsg_seq"));
        assertEquals(12, offset(l, "nlmsg_pid"));
        assertEquals(NetlinkLayouts.NLMSG_LEN, offset(l, "nlmsg_len"));
        assertEquals(NetlinkLayouts.NLMSG_TYPE, offset(l, "nlmsg_type"));
        assertEquals(NetlinkLayouts.NLMSG_FLAGS, offset(l, "nlmsg_flags"));
        assertEquals(NetlinkLayouts.NLMSG_SEQ, offset(l, "nlmsg_seq"));
        assertEquals(NetlinkLayouts.NLMSG_PID, offset(l, "nlmsg_pid"));
    }

    @Test
    void nlmsgerr() {
        assertEquals(20, NetlinkLayouts.NLMSGERR.byteSize());
        assertEquals(0, offset(NetlinkLayouts.NLMSGERR, "error"));
        assertEquals(4, offset(NetlinkLayouts.NLMSGERR, "msg"));
    }

    @Test
    void ifinfomsg() {
        var l = NetlinkLayouts.IFINFOMSG;
        assertEquals(16, l.byteSize());
        assertEquals(0, offset(l, "ifi_family"));
        assertEquals(2, offset(l, "ifi_type"));
        assertEquals(4, offset(l, "ifi_index"));
        assertEquals(8, offset(l, "ifi_flags"));
        assertEquals(12, offset(l, "ifi_change"));
    }

    @Test
    void ifaddrmsg() {
        var l = NetlinkLayouts.IFADDRMSG;
        assertEquals(8, l.byteSize());
        assertEquals(0, offset(l, "ifa_family"));
        assertEquals(1, offset(l, "ifa_prefixlen"));
        assertEquals(2, offset(l, "ifa_flags"));
        assertEquals(3, offset(l, "ifa_scope"));
        assertEquals(4, offset(l, "ifa_index"));
    }

    @Test
    void rtmsg() {
        var l = NetlinkLayouts.RTMSG;
        assertEquals(12, l.byteSize());
        assertEquals(0, offset(l, "rtm_family"));
        assertEquals(1, offset(l, "rtm_dst_len"));
        assertEquals(2, offset(l, "rtm_src_len"));
        assertEquals(3, offset(l, "rtm_tos"));
        assertEquals(4, offset(l, "rtm_table"));
        assertEquals(5, offset(l, "rtm_protocol"));
        assertEquals(6, offset(l, "rtm_scope"));
        assertEquals(7, offset(l, "rtm_type"));
        assertEquals(8, offset(l, "rtm_flags"));
    }

    @Test
    void ndmsg() {
        var l = NetlinkLayouts.NDMSG;
        assertEquals(12, l.byteSize());
        assertEquals(0, offset(l, "ndm_family"));
        assertEquals(4, offset(l, "ndm_ifindex"));
        assertEquals(8, offset(l, "ndm_state"));
        assertEquals(10, offset(l, "ndm_flags"));
        assertEquals(11, offset(l, "ndm_type"));
    }

    @Test
    void rtattr() {
        var l = NetlinkLayouts.RTATTR;
        assertEquals(4, l.byteSize());
        assertEquals(0, offset(l, "rta_len"));
        assertEquals(2, offset(l, "rta_type"));
    }

    @Test
    void sockaddrNl() {
        var l = NetlinkLayouts.SOCKADDR_NL;
        assertEquals(12, l.byteSize());
        assertEquals(0, offset(l, "nl_family"));
        assertEquals(4, offset(l, "nl_pid"));
        assertEquals(8, offset(l, "nl_groups"));
    }

    @Test
    void iovec() {
        assertEquals(16, IoVec.LAYOUT.byteSize());
        assertEquals(0, IoVec.BASE);
        assertEquals(8, IoVec.LEN);
    }

    @Test
    void virtioNetHeader() {
        var l = VirtioNetHeader.LAYOUT;
        assertEquals(12, l.byteSize()); // struct virtio_net_hdr_mrg_rxbuf
        assertEquals(10, VirtioNetHeader.LEGACY_SIZE); // struct virtio_net_hdr
        assertEquals(0, offset(l, "flags"));
        assertEquals(1, offset(l, "gso_type"));
        assertEquals(2, offset(l, "hdr_len"));
        assertEquals(4, offset(l, "gso_size"));
        assertEquals(6, offset(l, "csum_start"));
        assertEquals(8, offset(l, "csum_offset"));
        assertEquals(10, offset(l, "num_buffers"));
        assertEquals(VirtioNetHeader.GSO_SIZE, offset(l, "gso_size"));
        assertEquals(VirtioNetHeader.NUM_BUFFERS, offset(l, "num_buffers"));
    }

    /**
     * struct virtio_net_hdr_v1_hash_tunnel (include/uapi/linux/virtio_net.h, Linux 6.17+): the v1 header,
     * hash_value, hash_report, padding, outer_th_offset, inner_nh_offset; and the tunnel bits and flag
     * with the values of the uapi header (VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4/IPV6, ..._F_UDP_TUNNEL_CSUM,
     * TUN_F_UDP_TUNNEL_GSO[_CSUM]).
     */
    @Test
    void virtioNetHeaderWithTunnel() {
        var l = VirtioNetHeader.TUNNEL_LAYOUT;
        assertEquals(24, l.byteSize());
        assertEquals(24, VirtioNetHeader.TUNNEL_SIZE);
        for (String field : new String[] {"flags", "gso_type", "hdr_len", "gso_size", "csum_start", "csum_offset",
                "num_buffers"}) {
            assertEquals(offset(VirtioNetHeader.LAYOUT, field), offset(l, field), field);
        }
        assertEquals(12, offset(l, "hash_value"));
        assertEquals(16, offset(l, "hash_report"));
        assertEquals(18, offset(l, "padding"));
        assertEquals(20, offset(l, "outer_th_offset"));
        assertEquals(22, offset(l, "inner_nh_offset"));
        assertEquals(VirtioNetHeader.OUTER_TH_OFFSET, offset(l, "outer_th_offset"));
        assertEquals(VirtioNetHeader.INNER_NH_OFFSET, offset(l, "inner_nh_offset"));
        assertEquals(0x20, VirtioNetHeader.GSO_UDP_TUNNEL_IPV4);
        assertEquals(0x40, VirtioNetHeader.GSO_UDP_TUNNEL_IPV6);
        assertEquals(8, VirtioNetHeader.FLAG_UDP_TUNNEL_CSUM);
        assertEquals(0x80, Tun.TUN_F_UDP_TUNNEL_GSO);
        assertEquals(0x100, Tun.TUN_F_UDP_TUNNEL_GSO_CSUM);
        // The slab keeps the header's values, so a TAP copies them through unchanged.
        assertEquals(VirtioNetHeader.GSO_UDP_TUNNEL, io.podswitch.packet.FrameSlab.GSO_UDP_TUNNEL);
        assertEquals(VirtioNetHeader.FLAG_UDP_TUNNEL_CSUM, io.podswitch.packet.FrameSlab.UDP_TUNNEL_CSUM);
    }

    @Test
    void ioctlRequestNumbers() {
        // _IOW('T', 202, int) etc. as the compiler expands them
        assertEquals(0x400454caL, Tun.TUNSETIFF);
        assertEquals(0x400454cbL, Tun.TUNSETPERSIST);
        assertEquals(0x400454d0L, Tun.TUNSETOFFLOAD);
        assertEquals(0x400454d8L, Tun.TUNSETVNETHDRSZ);
        assertEquals(0x800454d7L, Tun.TUNGETVNETHDRSZ);
        assertEquals(0x800454d2L, Tun.TUNGETIFF);
        assertEquals(0x400454d9L, Tun.TUNSETQUEUE);
        assertEquals(0x800454cfL, Tun.TUNGETFEATURES);
        assertEquals(iow('T', 202, 4), Tun.TUNSETIFF);
        assertEquals(ior('T', 215, 4), Tun.TUNGETVNETHDRSZ);
    }

    /** The asm-generic _IOC encoding: dir(2) | size(14) | type(8) | nr(8). */
    private static long iow(char type, int nr, int size) {
        return (1L << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    private static long ior(char type, int nr, int size) {
        return (2L << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }
}
