package io.podswitch.daemon.uplink;

import io.podswitch.config.model.ClusterConfig;
import io.podswitch.nativeio.Bpf;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.bpf.TcPrograms;
import io.podswitch.nativeio.bpf.XdpFilter;
import io.podswitch.port.Port;
import io.podswitch.port.tap.TapPort;
import io.podswitch.port.tap.TapPortConfig;

/**
 * The uplink as a TAP with UDP tunnel offloads ({@code attach: tap}): TCP super-frames cross from pod to
 * pod whole, as they do through the kernel's own VXLAN device — nothing is cut to the wire MTU in
 * userspace on either node.
 * <pre>
 *   switch ──write (24-byte header: tunnel GSO)──► TAP ingress ─tcx: bpf_redirect_neigh──► NIC egress ──► wire
 *   switch ◄──read (whole tunnel super-frame)───── TAP egress ◄─tcx: bpf_redirect─────── NIC ingress ◄── wire
 *                                                                 (overlay UDP port and the node-port range
 *                                                                  to this node's addresses; the rest goes
 *                                                                  on to the node's stack)
 * </pre>
 * Node ports are served as with {@code af_xdp}: TCP and UDP to this node's addresses in the NodePort
 * range reach the switch's service stage from the TAP ({@link UplinkFilter#tapUplink}); the replies leave
 * through the host TAP and the node's kernel (which {@code HostPort#acceptNodePortReplies} lets forward a
 * packet from its own address).
 * Encapsulated super-frames leave with the tunnel GSO type, outer offsets and the inner MSS
 * ({@code Encapsulator#encapsulateSuperFrame}); the NIC, or the kernel just before a NIC without tunnel
 * segmentation, cuts them. Received tunnel super-frames are decapsulated into an inner super-frame with a
 * normal GSO type for the pod's TAP. The kernel does L2 and routing on the underlay (like {@link UdpUplink}):
 * every peer's outer MAC is {@link #KERNEL_L2_MAC}, which is also the TAP's own address (the kernel replaces
 * the outer Ethernet header on the way out); the switch's uplink interface has the NIC's MAC, the
 * destination of what the NIC receives and redirects.
 *
 * <p>The TAP ({@value #TAP_NAME}, not persistent) and both tcx links are owned by this process's
 * descriptors: closing the attachment, or the process dying even by SIGKILL, removes all three. Needs
 * Linux 6.17+ (TUN_F_UDP_TUNNEL_GSO) and tcx (6.6+); opening fails naming the refused call otherwise.
 * The underlay MTU is the NIC's, capped at {@link TapPortConfig#MAX_MTU} (non-GSO frames fit 2 KiB).
 */
public final class TapUplink implements UplinkAttachment {
    /** The tunnel TAP in the daemon's network namespace. */
    public static final String TAP_NAME = "podswitch-tnl";

    private final TapPort port;
    private final String interfaceName;
    private final long mac;
    private final int mtu;
    private final int[] fds;

    private TapUplink(TapPort port, String interfaceName, long mac, int mtu, int[] fds) {
        this.port = port;
        this.interfaceName = interfaceName;
        this.mac = mac;
        this.mtu = mtu;
        this.fds = fds;
    }

    /** Opens the TAP and attaches both programs in the daemon's network namespace; a {@code ClusterPeers} uplink. */
    public static TapUplink open(int portId, ClusterConfig config) {
        String nic = config.thisNode().uplink().interfaceName();
        XdpFilter filter = UplinkFilter.tapUplink(config);
        LinkInfo link;
        try (Netlink netlink = Netlink.open()) {
            link = netlink.link(nic);
        }
        if (link.mac() == 0) {
            throw new IllegalStateException("uplink " + nic + " has no Ethernet address");
        }
        int mtu = Math.min(link.mtu(), TapPortConfig.MAX_MTU);
        TapPort tap = TapPort.open(portId,
                new TapPortConfig(TAP_NAME, mtu, KERNEL_L2_MAC, false, 1).withTunnelOffloads());
        // program and link descriptors: NIC program, NIC link, TAP program, TAP link
        int[] fds = {-1, -1, -1, -1};
        try {
            int tapIndex;
            try (Netlink netlink = Netlink.open()) {
                tapIndex = netlink.linkIndex(TAP_NAME);
            }
            fds[0] = Bpf.loadProgram(TcPrograms.redirectMatching(tapIndex, filter), Bpf.BPF_PROG_TYPE_SCHED_CLS);
            fds[2] = Bpf.loadProgram(TcPrograms.redirectNeigh(link.index()), Bpf.BPF_PROG_TYPE_SCHED_CLS);
            fds[3] = Bpf.createTcxIngressLink(fds[2], tapIndex, TAP_NAME);
            fds[1] = Bpf.createTcxIngressLink(fds[0], link.index(), nic);
            return new TapUplink(tap, nic, link.mac(), mtu, fds);
        } catch (RuntimeException e) {
            closeAll(fds);
            tap.close();
            throw e;
        }
    }

    private static void closeAll(int[] fds) {
        // Links first: the NIC stops handing tunnel packets to the TAP before the TAP goes.
        Bpf.close(fds[1]);
        Bpf.close(fds[3]);
        Bpf.close(fds[0]);
        Bpf.close(fds[2]);
    }

    @Override
    public Port port() {
        return port;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean needsNextHopMacs() {
        return false;
    }

    @Override
    public void close() {
        closeAll(fds);
        port.close();
    }
}
