package io.podswitch.port.tap;

import static io.podswitch.nativeio.NetnsFixture.quietly;
import static io.podswitch.nativeio.NetnsFixture.run;

import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * Two pods for privileged tests: network namespaces {@code a} and {@code b}, each with a TAP made by
 * {@link TapPort} (offloads off, {@code queues} queues, the given steering or none) and moved in,
 * 10.68.0.1/24 and 10.68.0.2/24, IPv6 off (no solicitations), and the peer's MAC as a permanent
 * neighbour: a datagram is one packet, no ARP. The TAPs are ports 0 and 1 of whatever cables them
 * (an io-forwarding worker). {@link #close} removes namespaces and TAPs, also after a failure.
 */
public final class TapPodPair implements AutoCloseable {
    public static final String IP_A = "10.68.0.1";
    public static final String IP_B = "10.68.0.2";
    private static final long MAC_A = 0x02_00_5e_00_02_0aL;
    private static final long MAC_B = 0x02_00_5e_00_02_0bL;

    private final String nsA;
    private final String nsB;
    private final String tapA;
    private final String tapB;
    private int nsFdA = -1;
    private int nsFdB = -1;
    private TapPort portA;
    private TapPort portB;

    private TapPodPair(String prefix) {
        String sfx = NetnsFixture.suffix();
        nsA = prefix + "A" + sfx;
        nsB = prefix + "B" + sfx;
        tapA = prefix + sfx + "a";
        tapB = prefix + sfx + "b";
    }

    /** @param prefix three letters naming the test's interfaces and namespaces */
    public static TapPodPair create(String prefix, int queues, TapSteering steering) {
        return create(prefix, queues, steering, false);
    }

    /** @param offloads open both TAPs with TCP segmentation and checksum offloads (GSO super-frames) */
    public static TapPodPair create(String prefix, int queues, TapSteering steering, boolean offloads) {
        TapPodPair pair = new TapPodPair(prefix);
        try {
            pair.build(queues, steering, offloads);
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    private void build(int queues, TapSteering steering, boolean offloads) {
        run("ip", "netns", "add", nsA);
        run("ip", "netns", "add", nsB);
        nsFdA = Netns.open(nsA);
        nsFdB = Netns.open(nsB);
        for (String ns : List.of(nsA, nsB)) {
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
        }
        portA = TapPort.open(0, new TapPortConfig(tapA, 1500, MAC_A, false, queues, offloads));
        portB = TapPort.open(1, new TapPortConfig(tapB, 1500, MAC_B, false, queues, offloads));
        if (steering != null) {
            steering.attach(portA);
            steering.attach(portB);
        }
        portA.moveToNetns(nsFdA, nsA);
        portB.moveToNetns(nsFdB, nsB);
        configure(nsFdA, nsA, tapA, IP_A, IP_B, MAC_B);
        configure(nsFdB, nsB, tapB, IP_B, IP_A, MAC_A);
    }

    private static void configure(int nsFd, String ns, String tap, String ip, String peer, long peerMac) {
        Netns.run(nsFd, ns, () -> {
            try (Netlink nl = Netlink.open()) {
                nl.setLinkUp("lo");
                nl.addAddress(tap, InetAddress.getByName(ip), 24);
                nl.addNeighbour(tap, InetAddress.getByName(peer), peerMac);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public TapPort portA() {
        return portA;
    }

    public TapPort portB() {
        return portB;
    }

    public String nsA() {
        return nsA;
    }

    public String nsB() {
        return nsB;
    }

    /** A UDP socket bound to {@code port} inside pod a (or b), non-blocking. */
    public DatagramChannel udp(boolean inA, int port) {
        InetSocketAddress at = new InetSocketAddress(inA ? IP_A : IP_B, port);
        DatagramChannel c = Netns.call(inA ? nsFdA : nsFdB, inA ? nsA : nsB,
                () -> DatagramChannel.open(StandardProtocolFamily.INET).bind(at));
        try {
            c.configureBlocking(false);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return c;
    }

    /** A TCP socket channel connected from pod a to {@code port} of pod b (blocking). */
    public java.nio.channels.SocketChannel tcpFromA(int port) {
        return Netns.call(nsFdA, nsA, () -> java.nio.channels.SocketChannel.open(new InetSocketAddress(IP_B, port)));
    }

    /** A TCP listener in pod b (blocking). */
    public java.nio.channels.ServerSocketChannel tcpListenerInB(int port) {
        return Netns.call(nsFdB, nsB, () -> java.nio.channels.ServerSocketChannel.open()
                .bind(new InetSocketAddress(IP_B, port)));
    }

    /** Closes the ports (the TAPs vanish with their descriptors) and deletes the namespaces. */
    @Override
    public void close() {
        if (portA != null) {
            portA.close();
        }
        if (portB != null) {
            portB.close();
        }
        Libc.close(nsFdA);
        Libc.close(nsFdB);
        quietly("ip", "netns", "del", nsA);
        quietly("ip", "netns", "del", nsB);
        try (Netlink nl = Netlink.open()) {
            if (nl.findLink(tapA).isPresent() || nl.findLink(tapB).isPresent()) {
                throw new IllegalStateException("a TAP was left behind: " + tapA + ", " + tapB);
            }
        }
    }
}
