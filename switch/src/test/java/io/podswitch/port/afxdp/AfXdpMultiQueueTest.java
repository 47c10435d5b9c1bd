package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
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
                    assertEquals("1280", out.readLine(), "every datagram of every flow arrived");
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
}
