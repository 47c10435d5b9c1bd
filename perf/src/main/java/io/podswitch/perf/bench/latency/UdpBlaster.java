package io.podswitch.perf.bench.latency;

import io.podswitch.perf.topo.NetnsThreads;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Background load for the latency scenario: a sender in one namespace sends 1400-byte datagrams as
 * fast as it can to a sink socket in the other that drains and discards them.
 */
public final class UdpBlaster implements AutoCloseable {

    private final DatagramSocket sink;
    private final DatagramSocket source;
    private final Thread sender;
    private final Thread drainer;
    private volatile boolean running = true;

    private UdpBlaster(DatagramSocket sink, DatagramSocket source, Thread drainer, Thread sender) {
        this.sink = sink;
        this.source = source;
        this.drainer = drainer;
        this.sender = sender;
    }

    public static UdpBlaster start(String sourceNs, String sinkNs, String sinkIp, int port) throws Exception {
        DatagramSocket sink = NetnsThreads.call(sinkNs, () -> new DatagramSocket(new InetSocketAddress(sinkIp, port)));
        DatagramSocket source = NetnsThreads.call(sourceNs, DatagramSocket::new);
        Thread drainer = Thread.ofPlatform().daemon().name("udp-blast-sink").start(() -> {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                while (true) {
                    p.setLength(buf.length);
                    sink.receive(p);
                }
            } catch (IOException closed) {
                // close() ends the loop
            }
        });
        UdpBlaster[] self = new UdpBlaster[1];
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread sender = Thread.ofPlatform().daemon().name("udp-blast-source").unstarted(() -> {
            ready.join();
            DatagramPacket p = new DatagramPacket(new byte[1400], 1400, new InetSocketAddress(sinkIp, port));
            while (self[0].running) {
                try {
                    source.send(p);
                } catch (IOException e) {
                    if (source.isClosed()) {
                        return; // close() ends the loop
                    }
                    Thread.onSpinWait(); // ENOBUFS under overload: that is the point, keep going
                }
            }
        });
        self[0] = new UdpBlaster(sink, source, drainer, sender);
        sender.start();
        ready.complete(null);
        return self[0];
    }

    @Override
    public void close() {
        running = false;
        source.close();
        sink.close();
        try {
            sender.join(2000);
            drainer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
