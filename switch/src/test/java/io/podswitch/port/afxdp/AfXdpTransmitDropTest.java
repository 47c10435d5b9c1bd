package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Frames the port cannot send are dropped, counted by reason and returned; good ones are sent. */
@Tag("privileged")
class AfXdpTransmitDropTest {
    @Test
    void runtAndOversizeFramesAreCountedNotSent() throws Exception {
        try (VethNamespaces net = new VethNamespaces(); FrameSlab slab = new FrameSlab(2048)) {
            VethNamespaces.Side a = net.add('a', 1, 1);
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 256);
            try (AfXdpPort port = new AfXdpPort(3, AfXdpPortConfig.of(a.rootInterface()), SlabUmem.over(slab), pool)) {
                PacketVector out = new PacketVector(8);
                int runt = frame(cache, slab, 10);            // shorter than an Ethernet header
                int jumbo = frame(cache, slab, 1500 + 18 + 1); // longer than MTU + Ethernet + VLAN
                int good = frame(cache, slab, 60);            // a minimum-size frame
                out.add(runt);
                out.add(jumbo);
                out.add(good);
                assertEquals(1, port.transmit(0, out, cache));
                assertEquals(0, out.size());
                assertEquals(1, port.counters().drops(PortDropReason.MALFORMED));
                assertEquals(1, port.counters().drops(PortDropReason.OVERSIZE));
                assertEquals(1, port.counters().txPackets());
                assertEquals(60, port.counters().txBytes());
                assertFalse(port.lentToKernel(0, runt));
                assertFalse(port.lentToKernel(0, jumbo));
                // The sent frame is the kernel's until it shows up on the completion ring, which a
                // later receive or transmit call reaps.
                PacketVector in = new PacketVector(64);
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (port.lentToKernel(0, good) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    port.receive(0, in, cache);
                    cache.freeAll(in);
                }
                assertFalse(port.lentToKernel(0, good), "TX completion returned the frame");
            }
            cache.flush();
            assertEquals(slab.frameCount(), pool.available(), "dropped, sent and stocked frames all came back");
        }
    }

    private static int frame(FrameCache cache, FrameSlab slab, int length) {
        int f = cache.allocate();
        MemorySegment m = slab.memory();
        long at = slab.dataStart(f);
        for (int i = 0; i < 12; i++) {
            m.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0xff); // broadcast destination, "random" source
        }
        m.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 12, (short) 0xb588); // local experimental EtherType
        slab.setLength(f, length);
        return f;
    }
}
