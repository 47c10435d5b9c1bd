package io.podswitch.nativeio.bpf;

import java.util.List;

/**
 * Which packets the filtered XDP program hands to the AF_XDP socket; everything else goes on to the
 * kernel stack. A packet matches when it is UDP (IPv4 or IPv6, no IPv6 extension headers, not a
 * non-first IPv4 fragment) to {@code udpDestinationPort} — and, when {@code udpDestinations} is not
 * empty, addressed to one of them — <em>or</em> when its destination address lies in one of
 * {@code destinations}. Untagged Ethernet only (VLAN-tagged frames pass to the kernel).
 *
 * @param udpDestinationPort the UDP port to capture (e.g. the VXLAN/Geneve overlay port), 0 for none
 * @param destinations destination prefixes to capture (IPv4 and IPv6 may be mixed), possibly empty
 * @param udpDestinations where UDP to the port must be addressed (e.g. the node's own addresses, so a
 *        tunnel packet for another host stays with the kernel); empty for any destination. A family
 *        without an entry here then captures no UDP by port.
 */
public record XdpFilter(int udpDestinationPort, List<IpPrefix> destinations, List<IpPrefix> udpDestinations) {
    public XdpFilter {
        if (udpDestinationPort < 0 || udpDestinationPort > 0xffff) {
            throw new IllegalArgumentException("UDP port out of range: " + udpDestinationPort);
        }
        destinations = List.copyOf(destinations);
        udpDestinations = List.copyOf(udpDestinations);
        if (udpDestinationPort == 0 && destinations.isEmpty()) {
            throw new IllegalArgumentException("a filter needs a UDP port or at least one destination prefix");
        }
        if (udpDestinationPort == 0 && !udpDestinations.isEmpty()) {
            throw new IllegalArgumentException("UDP destinations need a UDP port");
        }
    }

    /** UDP to {@code udpDestinationPort} (any destination) or any packet to {@code destinations}. */
    public XdpFilter(int udpDestinationPort, List<IpPrefix> destinations) {
        this(udpDestinationPort, destinations, List.of());
    }

    public static XdpFilter udpPort(int port) {
        return new XdpFilter(port, List.of());
    }

    /** UDP to {@code port} addressed to one of {@code addresses} (host prefixes, both families allowed). */
    public static XdpFilter udpPortTo(int port, List<IpPrefix> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("list at least one destination for UDP port " + port);
        }
        return new XdpFilter(port, List.of(), addresses);
    }

    /** Does UDP to the port count in this family at all? */
    boolean udpPortIn(boolean ipv4) {
        return udpDestinationPort != 0
                && (udpDestinations.isEmpty() || udpDestinations.stream().anyMatch(p -> p.isIpv4() == ipv4));
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
