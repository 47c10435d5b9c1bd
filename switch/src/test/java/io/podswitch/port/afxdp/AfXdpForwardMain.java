package io.podswitch.port.afxdp;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Benchmark forwarder (not a test): cross-connects two AF_XDP ports, busy-polling on one thread,
 * for a number of seconds, then prints packets forwarded, drops and the forwarder's CPU time per
 * packet. Arguments: interface A, interface B, seconds, attach mode (AUTO/DRIVER/GENERIC).
 * See docs/afxdp.md for the topology and the commands.
 */
public final class AfXdpForwardMain {
    private AfXdpForwardMain() {
    }

    public static void main(String[] args) throws Exception {
        String ifA = args[0];
        String ifB = args[1];
        long seconds = Long.parseLong(args[2]);
        XdpLink.Mode mode = args.length > 3 ? XdpLink.Mode.valueOf(args[3]) : XdpLink.Mode.AUTO;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (FrameSlab slab = new FrameSlab(16384)) {
            FramePool pool = new FramePool(slab);
            var umem = SlabUmem.over(slab);
            try (AfXdpPort a = new AfXdpPort(1, AfXdpPortConfig.of(ifA).withAttachMode(mode), umem, pool);
                 AfXdpPort b = new AfXdpPort(2, AfXdpPortConfig.of(ifB).withAttachMode(mode), umem, pool)) {
                FrameCache cache = new FrameCache(pool, 1024);
                PacketVector vector = new PacketVector(64);
                System.out.println("ready " + a.attachMode());
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long cpuStart = threads.getCurrentThreadCpuTime();
                long forwarded = 0;
                long busy = 0;
                int idle = 0;
                while (true) {
                    if ((++idle & 1023) == 0 && System.nanoTime() > end) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    int n = a.receive(0, vector, cache);
                    if (n > 0) {
                        b.transmit(0, vector, cache);
                    }
                    int m = b.receive(0, vector, cache);
                    if (m > 0) {
                        a.transmit(0, vector, cache);
                    }
                    if (n + m > 0) {
                        forwarded += n + m;
                        busy += System.nanoTime() - t0; // like testpmd's busy cycles: iterations that moved packets
                    }
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                System.out.printf("forwarded %d packets in %d s (%.3f Mpps), forwarder cpu %.1f ns/packet, "
                                + "busy %.1f ns/packet, tx_full %d, xsk A %s%n",
                        forwarded, seconds, forwarded / (seconds * 1e6), forwarded == 0 ? 0.0 : (double) cpu / forwarded,
                        forwarded == 0 ? 0.0 : (double) busy / forwarded,
                        b.counters().drops(PortDropReason.TX_FULL) + a.counters().drops(PortDropReason.TX_FULL),
                        java.util.Arrays.toString(a.socketStatistics(0)));
                cache.flush();
            }
        }
    }
}
