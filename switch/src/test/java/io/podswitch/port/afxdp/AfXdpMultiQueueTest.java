package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two queues per interface: four AF_XDP sockets on one UMEM (one registers it, three share it with
 * their own fill and completion rings); flows spread over both veth queues and all of them pass.
 */
@Tag("privileged")
class AfXdpMultiQueueTest {
    @Test
    void flowsOnEveryQueueAreForwarded() throws Exception {
        try (VethNamespaces net = new VethNamespaces(); FrameSlab slab = new FrameSlab(8192)) {
            VethNamespaces.Side a = net.add('a', 1, 2);
            VethNamespaces.Side b = net.add('b', 2, 2);
            FramePool pool = new FramePool(slab);
            var umem = SlabUmem.over(slab);
            try (AfXdpPort pa = new AfXdpPort(1, AfXdpPortConfig.of(a.rootInterface()).withQueues(2)
                         .withAttachMode(XdpLink.Mode.AUTO), umem, pool);
                 AfXdpPort pb = new AfXdpPort(2, AfXdpPortConfig.of(b.rootInterface()).withQueues(2)
                         .withAttachMode(XdpLink.Mode.AUTO), umem, pool)) {
                assertEquals(4, umem.socketCount());
                CrossConnect fwd = new CrossConnect(pa, pb, pool).start();
                try {
                    net.inNamespace(a, "ping", "-c", "2", "-i", "0.2", "-W", "2", b.ip4());
                    // 64 flows (source ports) x 20 datagrams, counted by a receiver in b.
                    Process receiver = new ProcessBuilder("ip", "netns", "exec", b.namespace(), "python3", "-c",
                            "import socket\n"
                                    + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                    // A receive buffer for every datagram (SO_RCVBUFFORCE, root: past rmem_max): a
                                    // receiver descheduled under load must not drop what the forwarder delivered.
                                    + "s.setsockopt(socket.SOL_SOCKET,33,8<<20)\n"
                                    + "s.bind(('" + b.ip4() + "',9000))\n"
                                    + "s.settimeout(2)\n"
                                    + "print('ready',flush=True)\n"
                                    + "n=0\n"
                                    + "try:\n"
                                    + "  while True:\n"
                                    + "    s.recv(100); n+=1\n"
                                    + "except socket.timeout:\n"
                                    + "  pass\n"
                                    + "print(n,flush=True)\n")
                            .redirectErrorStream(true).start();
                    var out = new java.io.BufferedReader(new java.io.InputStreamReader(receiver.getInputStream()));
                    assertEquals("ready", out.readLine());
                    net.inNamespace(a, "python3", "-c", "import socket,time\n"
                            + "ss=[socket.socket(socket.AF_INET,socket.SOCK_DGRAM) for _ in range(64)]\n"
                            + "for i in range(20):\n"
                            + "  for s in ss: s.sendto(b'q',('" + b.ip4() + "',9000))\n"
                            + "  time.sleep(0.005)\n");
                    String received = out.readLine();
                    assertEquals("1280", received, "every datagram of every flow arrived; " + udpCounters(net, b)
                            + "; port a AF_XDP (" + String.join(", ", List.of("rx_dropped", "rx_invalid_descs",
                            "tx_invalid_descs", "rx_ring_full", "rx_fill_ring_empty_descs", "tx_ring_empty_descs"))
                            + ") queue 0 " + Arrays.toString(pa.socketStatistics(0)) + ", queue 1 "
                            + Arrays.toString(pa.socketStatistics(1)) + "; forwarded " + fwd.forwarded());
                    receiver.waitFor();
                } finally {
                    fwd.stop();
                }
                assertTrue(pa.queueCounters(0).rxPackets() > 0 && pa.queueCounters(1).rxPackets() > 0,
                        "both queues received: " + pa.queueCounters(0).rxPackets() + " / " + pa.queueCounters(1).rxPackets());
                assertEquals(pa.counters().rxPackets(), pa.queueCounters(0).rxPackets() + pa.queueCounters(1).rxPackets());
            }
            assertEquals(slab.frameCount(), pool.available());
        }
    }

    /** {@code side}'s kernel UDP counters (/proc/net/snmp): what arrived and what its receive buffers dropped. */
    private static String udpCounters(VethNamespaces net, VethNamespaces.Side side) {
        String[] udp = net.inNamespace(side, "cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Udp:"))
                .toArray(String[]::new);
        if (udp.length < 2) {
            return "no Udp counters";
        }
        String[] names = udp[0].split("\\s+");
        String[] values = udp[1].split("\\s+");
        StringBuilder b = new StringBuilder(side.namespace() + " UDP");
        for (int i = 1; i < Math.min(names.length, values.length); i++) {
            if (names[i].equals("InDatagrams") || names[i].equals("RcvbufErrors") || names[i].equals("InErrors")) {
                b.append(' ').append(names[i]).append('=').append(values[i]);
            }
        }
        return b.toString();
    }
}
