package io.podswitch.perf.bench.latency;

import io.podswitch.perf.topo.NetnsThreads;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;

/** Echoes every datagram back to its sender, from a thread living in the server's namespace. */
public final class UdpEchoServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;

    private UdpEchoServer(DatagramSocket socket, Thread thread) {
        this.socket = socket;
        this.thread = thread;
    }

    /** Binds {@code ip:port} inside {@code netns} and starts echoing. */
    public static UdpEchoServer start(String netns, String ip, int port) throws Exception {
        CompletableFuture<DatagramSocket> bound = new CompletableFuture<>();
        Thread t = NetnsThreads.start(netns, "udp-echo-" + port, () -> {
            DatagramSocket s;
            try {
                s = new DatagramSocket(new InetSocketAddress(ip, port));
            } catch (IOException e) {
                bound.completeExceptionally(e);
                return;
            }
            bound.complete(s);
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                while (!s.isClosed()) {
                    p.setLength(buf.length);
                    s.receive(p);
                    s.send(p);
                }
            } catch (SocketException closed) {
                // close() ends the loop
            } catch (IOException e) {
                System.err.println("udp echo server on " + ip + ":" + port + " stopped: " + e);
            }
        });
        return new UdpEchoServer(bound.get(), t);
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
