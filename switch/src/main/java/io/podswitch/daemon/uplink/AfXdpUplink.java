package io.podswitch.daemon.uplink;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.nativeio.LinkInfo;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.XskSocketOptions;
import io.podswitch.nativeio.bpf.ServiceAddressMaps;
import io.podswitch.nativeio.bpf.XdpFilter;
import io.podswitch.port.Port;
import io.podswitch.port.afxdp.AfXdpPort;
import io.podswitch.port.afxdp.AfXdpPortConfig;
import io.podswitch.port.afxdp.SlabUmem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The uplink as an AF_XDP port on the node's NIC, with the filtering XDP program ({@link UplinkFilter}):
 * only the overlay's UDP port to this node's addresses (and, in direct mode, packets to this node's pod
 * CIDRs) are redirected to the switch; ARP, ND, ssh, kubelet and everything else pass to the kernel, so
 * the node keeps its own connectivity. The program is attached through a BPF link owned by the port's
 * descriptor: closing the port, or the process dying (even by SIGKILL), detaches it.
 *
 * <p>Every receive queue of the NIC gets a socket (up to {@value #MAX_QUEUES}): the XDP program
 * redirects to the socket of the queue a packet arrived on, so a multi-queue NIC's RSS spreads the
 * overlay traffic and none of it falls through to the kernel (where nothing listens on the tunnel
 * port). The engine spreads the queues over the workers. The fill and RX rings shrink with the queue
 * count so that all queues together lend the kernel at most a quarter of the frame pool. A NIC with
 * more queues than {@value #MAX_QUEUES} must steer the overlay port to the first ones (or reduce its
 * channels); the daemon logs that at start. Transmit goes out on queue 0; with more than one worker the
 * port is wrapped in a {@link SharedTransmitPort}: the AF_XDP TX ring has a single producer, the worker
 * that polls queue 0.
 */
public final class AfXdpUplink implements UplinkAttachment {
    /** The most receive queues bound (each lends the kernel a fill ring of frames). */
    static final int MAX_QUEUES = 16;
    private static final int MIN_RING = 256;
    private final Port port;
    private final ServiceAddressMaps serviceAddresses;
    private final long mac;
    private final int mtu;

    private AfXdpUplink(Port port, ServiceAddressMaps serviceAddresses, long mac, int mtu) {
        this.port = port;
        this.serviceAddresses = serviceAddresses;
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
        int rxQueues = activeReceiveQueues(interfaceName);
        int queues = Math.min(rxQueues, MAX_QUEUES);
        if (rxQueues > MAX_QUEUES) {
            DaemonLog.info("uplink " + interfaceName + " has " + rxQueues + " receive queues; AF_XDP sockets on the first "
                    + MAX_QUEUES + " only: steer the overlay port to them (ethtool -N) or reduce the channels (ethtool -L)");
        }
        int ring = ringSize(engine.slab().frameCount(), queues);
        XskSocketOptions defaults = XskSocketOptions.defaults();
        AfXdpPortConfig config = AfXdpPortConfig.of(interfaceName).withFilter(filter).withQueues(queues)
                .withSocket(defaults.withRingSizes(ring, defaults.completionRingSize(), ring, defaults.txRingSize()));
        AfXdpPort port = new AfXdpPort(portId, config, SlabUmem.over(engine.slab()), engine.pool());
        // Several workers transmit on the uplink; its TX ring takes one producer.
        Port shared = engine.workerCount() > 1 ? new SharedTransmitPort(port, engine.pool(), config.burst()) : port;
        return new AfXdpUplink(shared, port.serviceAddresses(), link.mac(), link.mtu());
    }

    /**
     * The device's active receive queues: its {@code /sys/class/net/IF/queues/rx-N} entries (sysfs lists
     * the real count, which AF_XDP's bind checks; rtnetlink's IFLA_NUM_RX_QUEUES is the allocated
     * maximum — a veth reports 2 here with 1 active). 1 when sysfs does not show the interface (a sysfs
     * mounted for another network namespace).
     */
    static int activeReceiveQueues(String interfaceName) {
        Path dir = Path.of("/sys/class/net", interfaceName, "queues");
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) Math.max(1, entries.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        } catch (IOException | UncheckedIOException e) {
            return 1;
        }
    }

    /**
     * Fill and RX ring size per queue: the default, or less so that {@code queues} fill rings hold at most
     * a quarter of {@code frames} (a power of two, at least {@value #MIN_RING}).
     */
    static int ringSize(int frames, int queues) {
        int budget = Math.max(MIN_RING, frames / (4 * queues));
        return Math.min(XskSocketOptions.DEFAULT_RING_SIZE, Integer.highestOneBit(budget));
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
    public ServiceAddressMaps serviceAddresses() {
        return serviceAddresses;
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
