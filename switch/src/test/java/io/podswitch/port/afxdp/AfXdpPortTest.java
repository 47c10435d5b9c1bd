package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.PortDropReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two namespaces joined through two AF_XDP ports that share one UMEM (the frame slab) and a thread
 * that cross-connects them: IPv4 and IPv6 ping and UDP pass both ways, in generic and driver mode.
 */
@Tag("privileged")
class AfXdpPortTest {
    @ParameterizedTest
    @EnumSource(value = XdpLink.Mode.class, names = {"GENERIC", "DRIVER"})
    void pingAndUdpCrossTheSwitch(XdpLink.Mode mode) throws Exception {
        try (VethNamespaces net = new VethNamespaces(); FrameSlab slab = new FrameSlab(4096)) {
            VethNamespaces.Side a = net.add('a', 1, 1);
            VethNamespaces.Side b = net.add('b', 2, 1);
            FramePool pool = new FramePool(slab);
            var umem = SlabUmem.over(slab);
            try (AfXdpPort pa = new AfXdpPort(1, AfXdpPortConfig.of(a.rootInterface()).withAttachMode(mode), umem, pool);
                 AfXdpPort pb = new AfXdpPort(2, AfXdpPortConfig.of(b.rootInterface()).withAttachMode(mode), umem, pool)) {
                assertEquals(mode, pa.attachMode());
                assertEquals(2, umem.socketCount(), "second port shares the UMEM");
                assertEquals(1500, pa.mtu());
                CrossConnect fwd = new CrossConnect(pa, pb, pool).start();
                try {
                    net.inNamespace(a, "ping", "-c", "3", "-i", "0.2", "-W", "2", b.ip4());
                    net.inNamespace(b, "ping", "-c", "3", "-i", "0.2", "-W", "2", a.ip4());
                    net.inNamespace(a, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", b.ip6());
                    net.inNamespace(b, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", a.ip6());
                    udpAcross(net, a, b, b.ip4());
                    udpAcross(net, b, a, "[" + a.ip6() + "]");
                } finally {
                    fwd.stop();
                }
                assertTrue(pa.counters().rxPackets() >= 14, "rx on a: " + pa.counters().rxPackets());
                assertTrue(pb.counters().txPackets() >= 14, "tx on b: " + pb.counters().txPackets());
                assertEquals(0, pa.counters().drops(PortDropReason.TX_FULL));
                assertTrue(pa.framesLentToKernel(0) > 0, "fill ring stocked");
                java.util.Map<String, Long> published = new java.util.HashMap<>();
                pa.visit(published::put);
                String prefix = "port." + a.rootInterface() + ".";
                assertEquals(pa.counters().rxPackets(), published.get(prefix + "rx_packets"));
                assertEquals(0L, published.get(prefix + "xsk.rx_invalid_descs"));
                assertEquals(0L, published.get(prefix + "xsk.tx_invalid_descs"));
            }
            assertEquals(slab.frameCount(), pool.available(), "every frame is back in the pool after close");
            assertTrue(VethNamespaces.sh("ip", "-d", "link", "show", "dev", a.rootInterface()).indexOf("xdp") < 0,
                    "program detached on close");
        }
    }

    /** A datagram from {@code from} to {@code to}'s port 9000 arrives (python3 on both ends). */
    private static void udpAcross(VethNamespaces net, VethNamespaces.Side from, VethNamespaces.Side to, String address)
            throws Exception {
        String host = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
        String family = address.startsWith("[") ? "socket.AF_INET6" : "socket.AF_INET";
        Process receiver = new ProcessBuilder("ip", "netns", "exec", to.namespace(), "python3", "-c",
                "import socket,sys\n"
                        + "s=socket.socket(" + family + ",socket.SOCK_DGRAM)\n"
                        + "s.bind(('" + host + "',9000))\n"
                        + "s.settimeout(10)\n"
                        + "print('ready',flush=True)\n"
                        + "d,_=s.recvfrom(100)\n"
                        + "print(d.decode(),flush=True)\n")
                .redirectErrorStream(true).start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(receiver.getInputStream())).readLine();
            assertEquals("ready", ready);
            net.inNamespace(from, "python3", "-c",
                    "import socket,time\n"
                            + "s=socket.socket(" + family + ",socket.SOCK_DGRAM)\n"
                            + "[(s.sendto(b'hello-podswitch',('" + host + "',9000)),time.sleep(0.1)) for _ in range(5)]\n");
            assertTrue(receiver.waitFor(10, TimeUnit.SECONDS), "receiver finished");
            String out = new String(receiver.getInputStream().readAllBytes());
            assertTrue(out.contains("hello-podswitch"), "received: " + out);
        } finally {
            receiver.destroyForcibly();
        }
    }
}
