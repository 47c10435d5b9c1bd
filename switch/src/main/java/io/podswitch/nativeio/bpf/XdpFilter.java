package io.podswitch.nativeio.bpf;

import java.util.List;

/**
 * Which packets the filtered XDP program hands to the AF_XDP socket; everything else goes on to the
 * kernel stack. A packet matches when it is UDP (IPv4 or IPv6, no IPv6 extension headers, not a
 * non-first IPv4 fragment) to {@code udpDestinationPort}, <em>or</em> when its destination address
 * lies in one of {@code destinations}. Untagged Ethernet only (VLAN-tagged frames pass to the kernel).
 *
 * @param udpDestinationPort the UDP port to capture (e.g. the VXLAN/Geneve overlay port), 0 for none
 * @param destinations destination prefixes to capture (IPv4 and IPv6 may be mixed), possibly empty
 */
public record XdpFilter(int udpDestinationPort, List<IpPrefix> destinations) {
    public XdpFilter {
        if (udpDestinationPort < 0 || udpDestinationPort > 0xffff) {
            throw new IllegalArgumentException("UDP port out of range: " + udpDestinationPort);
        }
        destinations = List.copyOf(destinations);
        if (udpDestinationPort == 0 && destinations.isEmpty()) {
            throw new IllegalArgumentException("a filter needs a UDP port or at least one destination prefix");
        }
    }

    public static XdpFilter udpPort(int port) {
        return new XdpFilter(port, List.of());
    }

    public static XdpFilter destinations(IpPrefix... prefixes) {
        return new XdpFilter(0, List.of(prefixes));
    }

    boolean hasIpv4Prefixes() {
        return destinations.stream().anyMatch(IpPrefix::isIpv4);
    }

    boolean hasIpv6Prefixes() {
        return destinations.stream().anyMatch(p -> !p.isIpv4());
    }
}
