package io.podswitch.perf.sides;

import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.Route;
import io.podswitch.perf.bench.side.PodEndpoint;

import java.net.InetAddress;

/**
 * The pod's side of an attachment: inside the pod's namespace, the interface gets its address, is
 * brought up and carries the default route via the gateway podswitch answers for.
 */
final class PodInterface {

    private PodInterface() {
    }

    /**
     * Configures {@code pod.ifName()} inside the namespace open as {@code netnsFd}.
     *
     * @param txChecksumOff also turn TX checksum offload off (veths driven by AF_XDP)
     * @return the pod interface's MAC, which podswitch puts in the pod's REWRITE adjacency
     */
    static long configure(int netnsFd, PodEndpoint pod, boolean txChecksumOff) {
        InetAddress address = address(pod.ip());
        int prefix = prefixLength(pod);
        InetAddress gateway = address(pod.gateway());
        return Netns.call(netnsFd, pod.netns(), () -> {
            try (Netlink netlink = Netlink.open()) {
                if (txChecksumOff) {
                    EthtoolTxChecksum.disable(pod.ifName());
                }
                netlink.setLinkUp(pod.ifName());
                netlink.addAddress(pod.ifName(), address, prefix);
                netlink.addRoute(Route.defaultVia(gateway, pod.ifName(), false));
                return netlink.link(pod.ifName()).mac();
            }
        });
    }

    static InetAddress address(String literal) {
        if (literal.isEmpty() || !(literal.indexOf(':') >= 0 || Character.isDigit(literal.charAt(0)))) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal + "'");
        }
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup happens
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + literal + "'", e);
        }
    }

    static int prefixLength(PodEndpoint pod) {
        int slash = pod.address().indexOf('/');
        int bits = address(pod.ip()).getAddress().length * 8;
        if (slash < 0) {
            return bits;
        }
        try {
            int length = Integer.parseInt(pod.address().substring(slash + 1));
            if (length < 0 || length > bits) {
                throw new IllegalArgumentException("prefix length out of range in '" + pod.address() + "'");
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + pod.address() + "'", e);
        }
    }
}
