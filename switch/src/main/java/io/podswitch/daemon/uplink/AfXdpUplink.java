package io.podswitch.daemon.uplink;

import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.bpf.XdpFilter;
import io.podswitch.port.Port;
import io.podswitch.port.afxdp.AfXdpPort;
import io.podswitch.port.afxdp.AfXdpPortConfig;
import io.podswitch.port.afxdp.SlabUmem;

/**
 * The uplink as an AF_XDP port on the node's NIC, with the filtering XDP program ({@link UplinkFilter}):
 * only the overlay's UDP port to this node's addresses (and, in direct mode, packets to this node's pod
 * CIDRs) are redirected to the switch; ARP, ND, ssh, kubelet and everything else pass to the kernel, so
 * the node keeps its own connectivity. The program is attached through a BPF link owned by the port's
 * descriptor: closing the port, or the process dying (even by SIGKILL), detaches it.
 *
 * <p>One receive queue (queue 0): a multi-queue NIC must steer the overlay traffic there (or run with one
 * combined channel); traffic arriving on another queue finds no socket and goes to the kernel. With more
 * than one worker, the port is wrapped in a {@link SharedTransmitPort}: the AF_XDP TX ring has a single
 * producer, the worker that polls the port.
 */
public final class AfXdpUplink implements UplinkAttachment {
    private final Port port;
    private final long mac;
    private final int mtu;

    private AfXdpUplink(Port port, long mac, int mtu) {
        this.port = port;
        this.mac = mac;
        this.mtu = mtu;
    }

    /** Opens the port on {@code interfaceName} over the engine's frame slab (the UMEM). */
    public static AfXdpUplink open(SwitchEngine engine, int portId, String interfaceName, XdpFilter filter) {
        LinkInfo link;
        try (Netlink netlink = Netlink.open()) {
            link = netlink.link(interfaceName);
        }
        if (link.mac() == 0) {
            throw new IllegalStateException("uplink " + interfaceName + " has no Ethernet address");
        }
        AfXdpPortConfig config = AfXdpPortConfig.of(interfaceName).withFilter(filter);
        AfXdpPort port = new AfXdpPort(portId, config, SlabUmem.over(engine.slab()), engine.pool());
        // Several workers transmit on the uplink; its TX ring takes one producer.
        Port shared = engine.workerCount() > 1 ? new SharedTransmitPort(port, engine.pool(), config.burst()) : port;
        return new AfXdpUplink(shared, link.mac(), link.mtu());
    }

    @Override
    public Port port() {
        return port;
    }

    @Override
    public String interfaceName() {
        return port.name();
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
        return true;
    }

    @Override
    public void close() {
        port.close();
    }
}
