package io.podswitch.service;

import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

/**
 * The source addresses a hairpinned connection is SNATed to: when a pod reaches a service and Maglev picks
 * that same pod, the packet must not arrive from the pod's own address (the pod would answer itself
 * locally, bypassing the switch, and the client socket would see a reply from the wrong address). The
 * switch rewrites the source to this address, which the pod routes back through its default gateway —
 * the switch — where the reply is translated back.
 *
 * <p>Defaults: {@code 169.254.42.1} for IPv4 (link-local, never a pod or node address; pods route it via
 * their default gateway like any off-link address), and {@code fd68:6169:7270:696e::1} for IPv6 — a ULA
 * ("hairpin" in hex) rather than a link-local address, because a pod would try to resolve an IPv6
 * link-local destination on-link with neighbour discovery instead of sending it to its gateway.
 */
public record HairpinAddresses(int ipv4, long ipv6High, long ipv6Low) {
    public static final HairpinAddresses DEFAULTS = parse("169.254.42.1", "fd68:6169:7270:696e::1");

    public HairpinAddresses {
        if (Ip4.isMartianSource(ipv4) || Ip4.isMulticast(ipv4)) {
            throw new IllegalArgumentException("hairpin IPv4 address must be a unicast address: " + Ip4.format(ipv4));
        }
        if (Ip6.isMulticast(ipv6High) || Ip6.isLinkLocal(ipv6High) || Ip6.isUnspecified(ipv6High, ipv6Low)
            || Ip6.isLoopback(ipv6High, ipv6Low)) {
            throw new IllegalArgumentException("hairpin IPv6 address must be a global or unique-local unicast address: "
                + Ip6.format(ipv6High, ipv6Low));
        }
    }

    public static HairpinAddresses parse(String ipv4, String ipv6) {
        long[] v6 = Ip6.parse(ipv6);
        return new HairpinAddresses(Ip4.parse(ipv4), v6[0], v6[1]);
    }
}
