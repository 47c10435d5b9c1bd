package io.podswitch.daemon.peers;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Route;

/**
 * Direct routing done by the kernel (UDP-socket uplink, mode direct): {@code <remote pod CIDR> via
 * <peer address> dev <uplink>} through rtnetlink, like flannel's host-gw. The switch sends remote pod
 * traffic to the host TAP (its default route); the kernel forwards it to the peer, whose kernel hands
 * it to its podswitch through its own route to the pod CIDR.
 */
public final class KernelPodRoutes implements AutoCloseable {
    private final Netlink netlink = Netlink.open();
    private final String uplink;

    public KernelPodRoutes(String uplinkInterface) {
        this.uplink = uplinkInterface;
    }

    void install(Cidr podCidr, IpAddress via) {
        netlink.replaceRoute(route(podCidr, via));
    }

    void delete(Cidr podCidr, IpAddress via) {
        netlink.deleteRoute(route(podCidr, via));
    }

    private Route route(Cidr podCidr, IpAddress via) {
        return new Route(AddressBits.inet(podCidr.network()), podCidr.prefixLength(), AddressBits.inet(via), uplink, false);
    }

    @Override
    public void close() {
        netlink.close();
    }
}
