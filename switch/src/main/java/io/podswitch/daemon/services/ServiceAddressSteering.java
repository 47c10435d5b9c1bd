package io.podswitch.daemon.services;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.nativeio.bpf.ServiceAddressMaps;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Gets traffic for services' external and load-balancer IPs into the switch, as the {@link ServiceManager}
 * adds and removes them (control thread):
 * <ul>
 *   <li>every attachment: each address is routed to the host TAP in the node's kernel (one route per
 *       address, however many ports; {@code HostPort.routeServiceAddress}). With {@code attach: udp} (the
 *       kernel owns the NIC) or a single node this is what brings outside traffic in: the kernel forwards
 *       what it receives for the address into the switch. In every mode it serves the node's own
 *       connections to the address in the switch (as kube-proxy does) and lets the replies to outside
 *       clients — whose source is the external IP, leaving through the kernel — pass reverse-path
 *       filtering: the source's route points back to the TAP they arrive on;</li>
 *   <li>{@code attach: af_xdp}: each (address, protocol, port) also goes into the uplink XDP program's
 *       {@link ServiceAddressMaps}, so exactly the service's ports are taken from the NIC (ssh to the
 *       same address still reaches the node's kernel).</li>
 * </ul>
 * A failure (a full map, a refused route) is logged and leaves the data path serving the rest.
 */
public final class ServiceAddressSteering implements ServiceManager.ExternalAddresses {
    private final ServiceAddressMaps maps;
    private final Consumer<InetAddress> route;
    private final Consumer<InetAddress> unroute;
    private final Map<IpAddress, Integer> routed = new HashMap<>();

    /**
     * @param maps    the af_xdp uplink's maps, or null
     * @param route   routes an address to the switch in the node's kernel (idempotent)
     * @param unroute undoes it
     */
    public ServiceAddressSteering(ServiceAddressMaps maps, Consumer<InetAddress> route, Consumer<InetAddress> unroute) {
        this.maps = maps;
        this.route = route;
        this.unroute = unroute;
    }

    @Override
    public void added(int protocol, IpAddress address, int port) {
        // Counted first: a step that fails is logged, and the count still matches what removed() will undo.
        if (routed.merge(address, 1, Integer::sum) == 1) {
            attempt(() -> route.accept(AddressBits.inet(address)), "not routed to the switch", address, port);
        }
        if (maps != null) {
            attempt(() -> maps.add(protocol, AddressBits.inet(address).getAddress(), port),
                    "not steered to the switch by the uplink", address, port);
        }
    }

    @Override
    public void removed(int protocol, IpAddress address, int port) {
        if (maps != null) {
            attempt(() -> maps.remove(protocol, AddressBits.inet(address).getAddress(), port),
                    "still in the uplink's steering map", address, port);
        }
        if (routed.merge(address, -1, Integer::sum) <= 0) {
            routed.remove(address);
            attempt(() -> unroute.accept(AddressBits.inet(address)), "still routed to the switch", address, port);
        }
    }

    private static void attempt(Runnable step, String failure, IpAddress address, int port) {
        try {
            step.run();
        } catch (RuntimeException e) {
            DaemonLog.warn("service address " + address + " port " + port + ": " + failure, e);
        }
    }
}
