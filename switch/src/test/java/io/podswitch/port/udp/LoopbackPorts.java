package io.podswitch.port.udp;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.PacketVector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** UDP tunnel ports on loopback addresses with a free UDP port each (the tests share the host's loopback). */
final class LoopbackPorts {
    static final long MAC = UdpTestFrames.MAC_B;

    private LoopbackPorts() {
    }

    static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A UDP port free on {@code local} a moment ago. */
    static int freePort(InetAddress local) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(local, 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a port on {@code local} (IPv4 or IPv6), retrying when another test grabbed the port first. */
    static UdpTunnelPort open(int id, String local, boolean gso) {
        InetAddress a = address(local);
        boolean v6 = a.getAddress().length == 16;
        for (int attempt = 0; ; attempt++) {
            UdpTunnelPortConfig config = new UdpTunnelPortConfig("lo" + id, v6 ? null : a, v6 ? a : null,
                    freePort(a), MAC, 1500, 1, UdpTunnelPortConfig.DEFAULT_SOCKET_BUFFER_BYTES, gso);
            try {
                return UdpTunnelPort.open(id, config);
            } catch (NativeException e) {
                if (e.errno() != Errno.EADDRINUSE || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Receives until {@code expected} packets are in {@code into} or 5 s passed. */
    static void receive(UdpTunnelPort port, PacketVector into, FrameCache cache, int expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (into.size() < expected && System.nanoTime() < deadline) {
            if (port.receive(0, into, cache) == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
