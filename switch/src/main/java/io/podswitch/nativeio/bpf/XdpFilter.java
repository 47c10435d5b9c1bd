package io.podswitch.nativeio.bpf;

import java.util.List;

/**
 * Which packets the filtered XDP program hands to the AF_XDP socket; everything else goes on to the
 * kernel stack. A packet matches when
 * <ul>
 *   <li>it is UDP (IPv4 or IPv6, no IPv6 extension headers, not a non-first IPv4 fragment) to
 *       {@code udpDestinationPort} — and, when {@code udpDestinations} is not empty, addressed to one of
 *       them — <em>or</em></li>
 *   <li>its destination address lies in one of {@code destinations}, <em>or</em></li>
 *   <li>it is TCP or UDP (same header rules) to one of {@code nodeAddresses} with a destination port in
 *       {@code nodePortLow..nodePortHigh} — the NodePort range: a range, not the configured node ports,
 *       so a service change never reprograms XDP; a port in the range that no service serves is handed
 *       back to the node's kernel by the switch, <em>or</em></li>
 *   <li>with {@code serviceAddresses}, it is TCP or UDP (same header rules) whose (destination address,
 *       protocol, destination port) is in the {@link ServiceAddressMaps} (services' external and
 *       load-balancer IPs, updated at run time).</li>
 * </ul>
 * Untagged Ethernet only (VLAN-tagged frames pass to the kernel).
 *
 * @param udpDestinationPort the UDP port to capture (e.g. the VXLAN/Geneve overlay port), 0 for none
 * @param destinations destination prefixes to capture (IPv4 and IPv6 may be mixed), possibly empty
 * @param udpDestinations where UDP to the port must be addressed (e.g. the node's own addresses, so a
 *        tunnel packet for another host stays with the kernel); empty for any destination. A family
 *        without an entry here then captures no UDP by port.
 * @param nodeAddresses the node's own addresses (full-length prefixes) whose node-port range is captured, possibly empty
 * @param nodePortLow first port of the node-port range (ignored without node addresses)
 * @param nodePortHigh last port of the node-port range, inclusive
 * @param serviceAddresses also capture what the service address maps list
 */
public record XdpFilter(int udpDestinationPort, List<IpPrefix> destinations, List<IpPrefix> udpDestinations,
                        List<IpPrefix> nodeAddresses, int nodePortLow, int nodePortHigh, boolean serviceAddresses) {
    public XdpFilter {
        if (udpDestinationPort < 0 || udpDestinationPort > 0xffff) {
            throw new IllegalArgumentException("UDP port out of range: " + udpDestinationPort);
        }
        destinations = List.copyOf(destinations);
        udpDestinations = List.copyOf(udpDestinations);
        nodeAddresses = List.copyOf(nodeAddresses);
        if (udpDestinationPort == 0 && !udpDestinations.isEmpty()) {
            throw new IllegalArgumentException("UDP destinations need a UDP port");
        }
        for (IpPrefix a : nodeAddresses) {
            if (a.length() != (a.isIpv4() ? 32 : 128)) {
                throw new IllegalArgumentException("a node address must be a single address (/32 or /128): " + a);
            }
        }
        if (!nodeAddresses.isEmpty() && (nodePortLow < 1 || nodePortLow > nodePortHigh || nodePortHigh > 0xffff)) {
            throw new IllegalArgumentException("node port range must be within 1..65535 and not empty: "
                    + nodePortLow + "-" + nodePortHigh);
        }
        if (udpDestinationPort == 0 && destinations.isEmpty() && nodeAddresses.isEmpty() && !serviceAddresses) {
            throw new IllegalArgumentException("a filter needs a UDP port, a destination prefix, a node address or "
                    + "the service addresses");
        }
    }

    /** Without the service address maps. */
    public XdpFilter(int udpDestinationPort, List<IpPrefix> destinations, List<IpPrefix> udpDestinations,
                     List<IpPrefix> nodeAddresses, int nodePortLow, int nodePortHigh) {
        this(udpDestinationPort, destinations, udpDestinations, nodeAddresses, nodePortLow, nodePortHigh, false);
    }

    /** UDP to {@code udpDestinationPort} (any destination) or any packet to {@code destinations}. */
    public XdpFilter(int udpDestinationPort, List<IpPrefix> destinations) {
        this(udpDestinationPort, destinations, List.of(), List.of(), 0, 0);
    }

    public static XdpFilter udpPort(int port) {
        return new XdpFilter(port, List.of());
    }

    /** UDP to {@code port} addressed to one of {@code addresses} (host prefixes, both families allowed). */
    public static XdpFilter udpPortTo(int port, List<IpPrefix> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("list at least one destination for UDP port " + port);
        }
        return new XdpFilter(port, List.of(), addresses, List.of(), 0, 0);
    }

    public static XdpFilter destinations(IpPrefix... prefixes) {
        return new XdpFilter(0, List.of(prefixes));
    }

    /** This filter, also capturing TCP and UDP to {@code addresses} with a destination port in {@code low..high}. */
    public XdpFilter withNodePorts(List<IpPrefix> addresses, int low, int high) {
        return new XdpFilter(udpDestinationPort, destinations, udpDestinations, addresses, low, high, serviceAddresses);
    }

    /** This filter, also capturing what the {@link ServiceAddressMaps} list. */
    public XdpFilter withServiceAddresses() {
        return new XdpFilter(udpDestinationPort, destinations, udpDestinations, nodeAddresses, nodePortLow, nodePortHigh,
                true);
    }

    /** Does UDP to the port count in this family at all? */
    boolean udpPortIn(boolean ipv4) {
        return udpDestinationPort != 0
                && (udpDestinations.isEmpty() || udpDestinations.stream().anyMatch(p -> p.isIpv4() == ipv4));
    }

    boolean hasIpv4Prefixes() {
        return destinations.stream().anyMatch(IpPrefix::isIpv4);
    }

    boolean hasIpv6Prefixes() {
        return destinations.stream().anyMatch(p -> !p.isIpv4());
    }

    boolean hasNodeAddresses(boolean ipv4) {
        return nodeAddresses.stream().anyMatch(p -> p.isIpv4() == ipv4);
    }
}
