package io.podswitch.daemon.uplink;

import io.podswitch.nativeio.bpf.ServiceAddressMaps;
import io.podswitch.port.Port;

/**
 * How the switch reaches the node's underlay: a {@link Port} that carries tunnel (and, in direct mode,
 * routed pod) traffic between this node and the others. Two kinds exist by design
 * ({@code nodes[].uplink.attach}): {@link AfXdpUplink} (an AF_XDP socket on the NIC, the switch builds
 * the outer Ethernet header itself) and a kernel UDP socket (the kernel does L2 and routing; the port
 * synthesises and strips the outer Ethernet/IP/UDP headers so overlay-decap works unchanged).
 *
 * <p>Opened and closed on the control thread; the {@link Port} is polled by one worker.
 */
public interface UplinkAttachment extends AutoCloseable {

    /** The locally administered unicast MAC used as both ends' outer MAC when the kernel does L2. */
    long KERNEL_L2_MAC = 0x02_70_73_00_00_01L;

    /** The switch port for the underlay; its id was given by the caller. */
    Port port();

    /** The NIC's interface name (in the daemon's network namespace). */
    String interfaceName();

    /** The source MAC of frames the switch sends on the uplink (the NIC's own, or {@link #KERNEL_L2_MAC}). */
    long mac();

    /** The underlay's IP MTU (the NIC's MTU). */
    int mtu();

    /**
     * True when the switch writes real outer Ethernet headers (AF_XDP): peers' next-hop MACs must be
     * resolved. False when the kernel does L2 (UDP socket): every peer gets {@link #KERNEL_L2_MAC}.
     */
    boolean needsNextHopMacs();

    /**
     * The maps through which services' external and load-balancer IPs are steered from the NIC to the switch
     * (the AF_XDP uplink's XDP program), or null when the kernel owns the NIC (they reach the switch through
     * kernel routes to the host TAP instead).
     */
    default ServiceAddressMaps serviceAddresses() {
        return null;
    }

    /** Detaches from the NIC; the caller has taken the port out of the data path first. */
    @Override
    void close();
}
