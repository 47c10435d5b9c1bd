package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.nativeio.bpf.XdpFilter;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The filtered program steals only the overlay port's UDP from the kernel: ping and other UDP to the
 * root-side veth address are answered by the kernel while UDP to port 4789 arrives on the AF_XDP port.
 */
@Tag("privileged")
class AfXdpFilterTest {
    private static final int OVERLAY_PORT = 4789;
    private static final int OTHER_PORT = 4790;
    private static final String ROOT_ADDRESS = "10.77.0.254";

    @Test
    void matchingUdpGoesToTheSocketEverythingElseToTheKernel() throws Exception {
        try (VethNamespaces net = new VethNamespaces(); FrameSlab slab = new FrameSlab(2048)) {
            VethNamespaces.Side a = net.add('a', 1, 1);
            VethNamespaces.sh("ip", "addr", "add", ROOT_ADDRESS + "/24", "dev", a.rootInterface());
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 256);
            AfXdpPortConfig config = AfXdpPortConfig.of(a.rootInterface())
                    .withAttachMode(XdpLink.Mode.AUTO)
                    .withFilter(XdpFilter.udpPort(OVERLAY_PORT));
            try (AfXdpPort port = new AfXdpPort(7, config, SlabUmem.over(slab), pool);
                 DatagramSocket overlay = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ROOT_ADDRESS), OVERLAY_PORT));
                 DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ROOT_ADDRESS), OTHER_PORT))) {
                PacketVector rx = new PacketVector(64);
                port.receive(0, rx, cache); // stock the fill ring

                net.inNamespace(a, "ping", "-c", "2", "-i", "0.2", "-W", "2", ROOT_ADDRESS);
                sendUdp(net, a, OTHER_PORT, "to-kernel");
                sendUdp(net, a, OVERLAY_PORT, "to-switch");

                other.setSoTimeout(3000);
                DatagramPacket got = new DatagramPacket(new byte[100], 100);
                other.receive(got);
                assertEquals("to-kernel", new String(got.getData(), 0, got.getLength()));

                int frame = awaitUdpFrame(port, rx, cache, slab);
                assertTrue(frame >= 0, "the overlay datagram reached the AF_XDP port");
                assertEquals(7, slab.inPort(frame));
                long payload = slab.dataStart(frame) + 14 + 20 + 8;
                byte[] text = new byte[9];
                java.lang.foreign.MemorySegment.copy(slab.memory(), ValueLayout.JAVA_BYTE, payload, text, 0, 9);
                assertEquals("to-switch", new String(text));
                cache.freeAll(rx);

                overlay.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> overlay.receive(new DatagramPacket(new byte[100], 100)),
                        "the kernel never saw the overlay datagram");
            } finally {
                cache.flush();
            }
            assertEquals(slab.frameCount(), pool.available());
        }
    }

    private static void sendUdp(VethNamespaces net, VethNamespaces.Side from, int port, String text) {
        net.inNamespace(from, "python3", "-c", "import socket\n"
                + "socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'" + text + "',('" + ROOT_ADDRESS + "'," + port + "))\n");
    }

    /** Polls the port until a UDP frame to the overlay port shows up; returns it (still in {@code rx}), or -1. */
    private static int awaitUdpFrame(AfXdpPort port, PacketVector rx, FrameCache cache, FrameSlab slab) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            port.receive(0, rx, cache);
            for (int i = 0; i < rx.size(); i++) {
                int f = rx.frame(i);
                long at = slab.dataStart(f);
                short etherType = slab.memory().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at + 12);
                byte protocol = slab.memory().get(ValueLayout.JAVA_BYTE, at + 14 + 9);
                short dport = slab.memory().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at + 14 + 20 + 2);
                if (etherType == 0x0800 && protocol == 17 && dport == OVERLAY_PORT) {
                    return f;
                }
            }
            Thread.sleep(10);
        }
        return -1;
    }
}
