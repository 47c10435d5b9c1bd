package io.podswitch.daemon.uplink;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.nativeio.bpf.IpPrefix;
import io.podswitch.nativeio.bpf.XdpFilter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the uplink's XDP program steals from the kernel: in overlay mode UDP to the tunnel port addressed
 * to one of this node's addresses, in direct mode every packet to this node's pod CIDRs (IPv4 and IPv6).
 * Everything else — ARP, ND, ssh, kubelet, the node's own traffic, tunnel traffic for other hosts —
 * passes to the kernel.
 */
public final class UplinkFilter {
    private UplinkFilter() {
    }

    public static XdpFilter of(ClusterConfig config) {
        if (config.overlay().mode().encapsulates()) {
            List<IpPrefix> own = new ArrayList<>();
            for (IpAddress address : config.thisNode().addresses()) {
                own.add(prefix(new Cidr(address, address instanceof Ip4Address ? 32 : 128)));
            }
            return XdpFilter.udpPortTo(config.overlay().udpPort(), own);
        }
        List<IpPrefix> prefixes = new ArrayList<>();
        for (Cidr cidr : config.thisNode().podCidrs()) {
            prefixes.add(prefix(cidr));
        }
        return new XdpFilter(0, prefixes);
    }

    static IpPrefix prefix(Cidr cidr) {
        byte[] bytes = switch (cidr.network()) {
            case Ip4Address a -> ByteBuffer.allocate(4).putInt(a.value()).array();
            case Ip6Address a -> ByteBuffer.allocate(16).putLong(a.high()).putLong(a.low()).array();
        };
        return new IpPrefix(bytes, cidr.prefixLength());
    }
}
