package io.podswitch.cluster;

import io.podswitch.nativeio.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small TCP and UDP echo service inside a pod, and the clients that probe it from another pod or
 * node — all in this JVM: a socket opened by a thread inside a namespace ({@link Netns#call}) stays
 * in that namespace, so no process is started per probe. The listening sockets are dual-stack
 * wildcards ({@code ::}), which serve IPv4 (mapped) and IPv6 alike.
 */
final class PodEcho implements AutoCloseable {
    private final ServerSocketChannel tcp;
    private final DatagramChannel udp;
    private volatile boolean closed;

    private PodEcho(ServerSocketChannel tcp, DatagramChannel udp) {
        this.tcp = tcp;
        this.udp = udp;
        Thread.ofPlatform().daemon().name("echo-tcp-accept").start(this::acceptLoop);
        Thread.ofPlatform().daemon().name("echo-udp").start(this::udpLoop);
    }

    /** Starts the echo service on {@code port} (TCP and UDP) inside {@code netns}. */
    static PodEcho start(String netns, int port) {
        ServerSocketChannel t = Netns.call(netns, () -> ServerSocketChannel.open().bind(new InetSocketAddress(port)));
        DatagramChannel u = Netns.call(netns, () -> DatagramChannel.open().bind(new InetSocketAddress(port)));
        return new PodEcho(t, u);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = tcp.accept();
                Thread.ofPlatform().daemon().name("echo-tcp").start(() -> echo(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try (c) {
            while (c.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                buf.clear();
            }
        } catch (IOException ignored) {
            // peer went away
        }
    }

    private void udpLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (!closed) {
            try {
                buf.clear();
                var from = udp.receive(buf);
                buf.flip();
                udp.send(buf, from);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            tcp.close();
        } catch (IOException ignored) {
            // best effort
        }
        try {
            udp.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * Connects from {@code netns} (null: the test's namespace) to {@code address:port}, sends
     * {@code bytes} random bytes and reads them back; up to three attempts (the first may wait for
     * ARP/ND on the way). Returns null when it worked, else what went wrong.
     */
    static String tcpRoundTrip(String netns, String address, int port, int bytes) {
        String last = "not tried";
        for (int attempt = 0; attempt < 3; attempt++) {
            try (SocketChannel c = netns == null ? SocketChannel.open() : Netns.call(netns, SocketChannel::open)) {
                c.socket().connect(new InetSocketAddress(InetAddress.getByName(address), port), 3000);
                c.socket().setSoTimeout(5000);
                byte[] payload = new byte[bytes];
                ThreadLocalRandom.current().nextBytes(payload);
                var out = c.socket().getOutputStream();
                var in = c.socket().getInputStream();
                byte[] back = new byte[bytes];
                Thread writer = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        out.write(payload);
                        out.flush();
                    } catch (IOException ignored) {
                        // the read side reports the failure
                    }
                });
                int got = 0;
                while (got < bytes) {
                    int n = in.read(back, got, bytes - got);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                writer.join(5000);
                if (got == bytes && Arrays.equals(payload, back)) {
                    return null;
                }
                last = "echo returned " + got + " of " + bytes + " bytes" + (got == bytes ? " (different)" : "");
            } catch (IOException | RuntimeException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "TCP " + (netns == null ? "" : netns + " → ") + address + ":" + port + ": " + last;
    }

    /** One UDP datagram of {@code bytes} to the echo service and its echo back; three attempts. Null when it worked. */
    static String udpRoundTrip(String netns, String address, int port, int bytes) {
        String last = "not tried";
        try (DatagramChannel c = netns == null ? DatagramChannel.open() : Netns.call(netns, DatagramChannel::open)) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(address), port);
            c.socket().setSoTimeout(1500);
            for (int attempt = 0; attempt < 3; attempt++) {
                byte[] payload = new byte[bytes];
                ThreadLocalRandom.current().nextBytes(payload);
                c.socket().send(new java.net.DatagramPacket(payload, bytes, to));
                byte[] back = new byte[bytes + 16];
                java.net.DatagramPacket p = new java.net.DatagramPacket(back, back.length);
                try {
                    while (true) {
                        c.socket().receive(p);
                        if (p.getLength() == bytes && Arrays.equals(payload, Arrays.copyOf(back, bytes))) {
                            return null;
                        }
                        last = "a stale or different datagram came back";
                    }
                } catch (SocketTimeoutException e) {
                    last = "no echo within 1.5 s";
                }
            }
        } catch (IOException | RuntimeException e) {
            last = e.toString();
        }
        return "UDP " + (netns == null ? "" : netns + " → ") + address + ":" + port + ": " + last;
    }
}
