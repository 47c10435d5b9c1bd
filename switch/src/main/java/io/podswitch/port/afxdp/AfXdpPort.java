package io.podswitch.port.afxdp;

import io.podswitch.nativeio.Bpf;
import io.podswitch.nativeio.XdpLink;
import io.podswitch.nativeio.XskSocket;
import io.podswitch.nativeio.XskUmem;
import io.podswitch.nativeio.bpf.BpfProgram;
import io.podswitch.nativeio.bpf.ServiceAddressMaps;
import io.podswitch.nativeio.bpf.XdpPrograms;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.PortOffloads;
import io.podswitch.port.SimplePortCounters;
import io.podswitch.stats.CounterSource;

/**
 * A port on an interface through AF_XDP: one socket per receive queue over the switch's shared UMEM
 * (the frame slab, see {@link SlabUmem}), an XSKMAP from queue index to socket, and an XDP program
 * (redirect-all, or filtered) attached through a BPF link.
 *
 * <pre>
 *   NIC / veth queue q ──XDP program──► xskmap[q] ──► AF_XDP socket q ──► AfXdpQueue q ──► worker
 *                      └─ no match / no socket ──► XDP_PASS ──► kernel stack
 * </pre>
 *
 * Opening order: sockets first, then the map entries, then the program, so the program never
 * redirects to a queue without a socket. Closing runs it backwards and returns to the pool every
 * frame the kernel still held. Queue {@code q} must be used by one worker thread only.
 */
public final class AfXdpPort implements Port, CounterSource {
    /** Names of the XDP_STATISTICS fields, in kernel order. */
    private static final String[] KERNEL_COUNTERS = {"rx_dropped", "rx_invalid_descs", "tx_invalid_descs",
        "rx_ring_full", "rx_fill_ring_empty_descs", "tx_ring_empty_descs"};
    private final int id;
    private final AfXdpPortConfig config;
    private final FramePool pool;
    private final AfXdpQueue[] queues;
    private final int mtu;
    private final int xskMapFd;
    private final ServiceAddressMaps serviceAddresses;
    private final XdpLink link;
    private final PortCounters counters;
    /** Per queue, its socket: readable while the RX ring holds descriptors. */
    private final int[][] readiness;
    private boolean closed;

    /**
     * Opens the port. Every AF_XDP port of a switch must be given the same {@code umem}, made once by
     * {@link SlabUmem#over} from the slab of {@code pool}.
     */
    public AfXdpPort(int id, AfXdpPortConfig config, XskUmem umem, FramePool pool) {
        if (umem.memory().address() != pool.slab().memory().address()) {
            throw new IllegalArgumentException("the UMEM must be the frame pool's slab");
        }
        this.id = id;
        this.config = config;
        this.pool = pool;
        this.queues = new AfXdpQueue[config.queues()];
        String name = config.interfaceName();
        int mapFd = -1;
        ServiceAddressMaps addresses = null;
        XdpLink attached = null;
        try {
            int portMtu = XskSocket.interfaceMtu(name);
            for (int q = 0; q < queues.length; q++) {
                queues[q] = new AfXdpQueue(XskSocket.open(umem, name, q, config.socket()), pool.slab(), id,
                        config.burst(), portMtu);
            }
            this.mtu = portMtu;
            mapFd = Bpf.createXskMap("xsks_" + id, queues.length);
            for (int q = 0; q < queues.length; q++) {
                Bpf.updateElement(mapFd, q, queues[q].socket().fd(), name + " xskmap[" + q + "]");
            }
            if (config.filter() != null && config.filter().serviceAddresses()) {
                addresses = ServiceAddressMaps.create("svc_" + id);
            }
            BpfProgram program = config.filter() == null
                    ? XdpPrograms.redirectAll(mapFd)
                    : addresses == null ? XdpPrograms.redirectMatching(mapFd, config.filter())
                    : XdpPrograms.redirectMatching(mapFd, config.filter(), addresses.ipv4MapFd(), addresses.ipv6MapFd());
            attached = XdpLink.attach(name, program, config.attachMode());
        } catch (RuntimeException e) {
            if (addresses != null) {
                addresses.close();
            }
            Bpf.close(mapFd);
            for (AfXdpQueue queue : queues) {
                if (queue != null) {
                    queue.close(pool);
                }
            }
            throw e;
        }
        this.xskMapFd = mapFd;
        this.serviceAddresses = addresses;
        this.link = attached;
        this.counters = queues.length == 1 ? queues[0].counters() : new SummedCounters();
        this.readiness = new int[queues.length][];
        for (int q = 0; q < queues.length; q++) {
            readiness[q] = new int[] {queues[q].socket().fd()};
        }
    }

    /** A queue's AF_XDP socket: readable while its RX ring holds descriptors (poll also kicks a driver that needs a wake-up). */
    @Override
    public int[] readinessFds(int queue) {
        return readiness[queue];
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return config.interfaceName();
    }

    @Override
    public int queueCount() {
        return queues.length;
    }

    /**
     * The maps of services' external addresses the XDP program steers to the switch (when the filter asks
     * for them), or null. Updated by the daemon; closed with the port.
     */
    public ServiceAddressMaps serviceAddresses() {
        return serviceAddresses;
    }

    /** Where the XDP program runs (AUTO resolved to what the driver accepted). */
    public XdpLink.Mode attachMode() {
        return link.mode();
    }

    /** True when queue {@code q} runs in zero-copy mode. */
    public boolean zeroCopy(int queue) {
        return queues[queue].socket().zeroCopy();
    }

    /** The kernel's XDP_STATISTICS of a queue's socket (rx_dropped, rx_invalid, tx_invalid, rx_ring_full, fill_empty, tx_empty). */
    public long[] socketStatistics(int queue) {
        return queues[queue].socket().statistics();
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        return queues[queue].receive(into, cache);
    }

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        return queues[queue].transmit(from, cache);
    }

    /** Frames go out as they are (no multi-buffer, no NIC offload through XDP): none. */
    @Override
    public int offloads() {
        return PortOffloads.NONE;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** The counters of one queue (the port's {@link #counters()} add them up). */
    public PortCounters queueCounters(int queue) {
        return queues[queue].counters();
    }

    @Override
    public void visit(CounterVisitor visitor) {
        String prefix = "port." + config.interfaceName() + ".";
        visitor.counter(prefix + "rx_packets", counters.rxPackets());
        visitor.counter(prefix + "rx_bytes", counters.rxBytes());
        visitor.counter(prefix + "tx_packets", counters.txPackets());
        visitor.counter(prefix + "tx_bytes", counters.txBytes());
        for (PortDropReason reason : PortDropReason.values()) {
            visitor.counter(prefix + "drop." + reason.name().toLowerCase(), counters.drops(reason));
        }
        long kickErrors = 0;
        long[] kernel = new long[KERNEL_COUNTERS.length];
        for (AfXdpQueue q : queues) {
            kickErrors += q.kickErrors();
            long[] stats = q.socket().statistics();
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] += stats[i];
            }
        }
        visitor.counter(prefix + "tx_kick_errors", kickErrors);
        // The kernel's own drops: no fill frame, RX ring full, bad descriptors.
        for (int i = 0; i < kernel.length; i++) {
            visitor.counter(prefix + "xsk." + KERNEL_COUNTERS[i], kernel[i]);
        }
    }

    /** Frames the kernel holds for queue {@code q} (fill ring, RX ring, TX in flight). */
    public int framesLentToKernel(int queue) {
        return queues[queue].lentFrames();
    }

    /** Whether the kernel holds {@code frame} for queue {@code q} (for tests). */
    boolean lentToKernel(int queue, int frame) {
        return queues[queue].isLent(frame);
    }

    /**
     * Detaches the program, closes the sockets and the map, returns the kernel's frames to the pool.
     * The rings are unmapped here: every worker must have stopped polling this port before.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        link.close();
        for (AfXdpQueue queue : queues) {
            queue.close(pool);
        }
        Bpf.close(xskMapFd);
        if (serviceAddresses != null) {
            serviceAddresses.close();
        }
    }

    /**
     * Counters of a multi-queue port: reads add up every queue; writes from outside the port (a
     * graph node counting a drop on this port) land in queue 0's counters.
     */
    private final class SummedCounters implements PortCounters {
        private SimplePortCounters first() {
            return queues[0].counters();
        }

        @Override
        public void received(long packets, long bytes) {
            first().received(packets, bytes);
        }

        @Override
        public void transmitted(long packets, long bytes) {
            first().transmitted(packets, bytes);
        }

        @Override
        public void dropped(PortDropReason reason, long packets) {
            first().dropped(reason, packets);
        }

        @Override
        public long rxPackets() {
            long sum = 0;
            for (AfXdpQueue q : queues) {
                sum += q.counters().rxPackets();
            }
            return sum;
        }

        @Override
        public long rxBytes() {
            long sum = 0;
            for (AfXdpQueue q : queues) {
                sum += q.counters().rxBytes();
            }
            return sum;
        }

        @Override
        public long txPackets() {
            long sum = 0;
            for (AfXdpQueue q : queues) {
                sum += q.counters().txPackets();
            }
            return sum;
        }

        @Override
        public long txBytes() {
            long sum = 0;
            for (AfXdpQueue q : queues) {
                sum += q.counters().txBytes();
            }
            return sum;
        }

        @Override
        public long drops(PortDropReason reason) {
            long sum = 0;
            for (AfXdpQueue q : queues) {
                sum += q.counters().drops(reason);
            }
            return sum;
        }
    }
}
