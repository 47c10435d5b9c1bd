package io.podswitch.cluster;

import io.podswitch.nativeio.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The truth-table machinery for the NetworkPolicy cluster test, all in this JVM and all non-blocking:
 * servers in every pod (TCP and UDP on each port, answering with the pod's name) on one selector thread, and
 * probes — every (from, to) pair of a table at once — on one selector with one deadline, so a table costs one
 * timeout however many of its cells are denied. Sockets are created inside the pods' namespaces (a socket
 * belongs to the namespace it was created in, whichever thread uses it later).
 */
final class NetpolProbes {
    private NetpolProbes() {
    }

    /** TCP and UDP servers on {@code ports} in every pod: "pod name → netns". */
    static final class Servers implements AutoCloseable {
        private final Selector selector;
        private final Thread thread;
        private final List<SelectableChannel> channels = new ArrayList<>();
        private volatile boolean closed;

        Servers(Map<String, String> podNetns, List<Integer> ports) throws IOException {
            selector = Selector.open();
            for (Map.Entry<String, String> pod : podNetns.entrySet()) {
                byte[] name = (pod.getKey() + "\n").getBytes(StandardCharsets.UTF_8);
                for (int port : ports) {
                    ServerSocketChannel tcp = Netns.call(pod.getValue(), () -> {
                        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET6);
                        s.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 512);
                        return s;
                    });
                    DatagramChannel udp = Netns.call(pod.getValue(), () -> {
                        DatagramChannel d = DatagramChannel.open(StandardProtocolFamily.INET6);
                        d.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
                        return d;
                    });
                    tcp.configureBlocking(false);
                    udp.configureBlocking(false);
                    tcp.register(selector, SelectionKey.OP_ACCEPT, name);
                    udp.register(selector, SelectionKey.OP_READ, name);
                    channels.add(tcp);
                    channels.add(udp);
                }
            }
            thread = Thread.ofPlatform().daemon().name("netpol-servers").start(this::serve);
        }

        private void serve() {
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            while (!closed) {
                try {
                    selector.select(200);
                    for (SelectionKey key : selector.selectedKeys()) {
                        byte[] name = (byte[]) key.attachment();
                        if (key.channel() instanceof ServerSocketChannel s) {
                            SocketChannel c = s.accept();
                            if (c != null) {
                                c.configureBlocking(false);
                                c.write(ByteBuffer.wrap(name));
                                c.close();
                            }
                        } else if (key.channel() instanceof DatagramChannel d) {
                            buffer.clear();
                            var from = d.receive(buffer);
                            if (from != null) {
                                d.send(ByteBuffer.wrap(name), from);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                } catch (IOException e) {
                    if (!closed) {
                        System.err.println("netpol servers: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            closed = true;
            selector.wakeup();
            thread.join(2000);
            for (SelectableChannel c : channels) {
                c.close();
            }
            selector.close();
        }
    }

    /** One cell to probe: from a pod's namespace to an address. */
    record Cell(String from, String fromNetns, String to, String toAddress) {
    }

    /** The outcome: reached (and who answered), or why not ("timeout", "refused", an error). */
    record Outcome(boolean reached, String detail) {
    }

    /**
     * Probes every cell at once: TCP = a connection and the server's name read back; UDP = a datagram answered
     * (sent again every 200 ms). A cell not reached by {@code timeoutMs} is "timeout".
     */
    static Map<Cell, Outcome> probe(List<Cell> cells, boolean tcp, int port, long timeoutMs) throws IOException {
        Map<Cell, Outcome> out = new HashMap<>();
        Map<String, List<Cell>> byNetns = new HashMap<>();
        for (Cell c : cells) {
            byNetns.computeIfAbsent(c.fromNetns(), k -> new ArrayList<>()).add(c);
        }
        try (Selector selector = Selector.open()) {
            List<SelectableChannel> open = new ArrayList<>();
            Map<SelectableChannel, Cell> cellOf = new HashMap<>();
            for (Map.Entry<String, List<Cell>> e : byNetns.entrySet()) {
                int n = e.getValue().size();
                List<SelectableChannel> made = Netns.call(e.getKey(), () -> {
                    List<SelectableChannel> list = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        list.add(tcp ? SocketChannel.open(StandardProtocolFamily.INET6)
                                : DatagramChannel.open(StandardProtocolFamily.INET6));
                    }
                    return list;
                });
                for (int i = 0; i < n; i++) {
                    Cell cell = e.getValue().get(i);
                    SelectableChannel ch = made.get(i);
                    open.add(ch);
                    cellOf.put(ch, cell);
                    ch.configureBlocking(false);
                    InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(cell.toAddress()), port);
                    if (tcp) {
                        SocketChannel s = (SocketChannel) ch;
                        if (s.connect(target)) {
                            s.register(selector, SelectionKey.OP_READ, cell);
                        } else {
                            s.register(selector, SelectionKey.OP_CONNECT, cell);
                        }
                    } else {
                        DatagramChannel d = (DatagramChannel) ch;
                        d.connect(target);
                        d.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                        d.register(selector, SelectionKey.OP_READ, cell);
                    }
                }
            }
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            long nextResend = System.nanoTime() + 200_000_000L;
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (out.size() < cells.size()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                selector.select(Math.min(left, 100));
                for (SelectionKey key : selector.selectedKeys()) {
                    Cell cell = (Cell) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            ((SocketChannel) key.channel()).finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            buffer.clear();
                            int read = key.channel() instanceof SocketChannel s ? s.read(buffer)
                                    : ((DatagramChannel) key.channel()).read(buffer);
                            if (read > 0) {
                                String who = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
                                out.put(cell, new Outcome(true, who));
                                key.cancel();
                            } else if (read < 0) {
                                out.put(cell, new Outcome(false, "closed without an answer"));
                                key.cancel();
                            }
                        }
                    } catch (IOException e) {
                        out.put(cell, new Outcome(false, e.getMessage() != null && e.getMessage().contains("refused")
                                ? "refused" : String.valueOf(e.getMessage())));
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                if (!tcp && System.nanoTime() > nextResend) {
                    nextResend = System.nanoTime() + 200_000_000L;
                    for (SelectableChannel ch : open) {
                        Cell cell = cellOf.get(ch);
                        if (!out.containsKey(cell)) {
                            try {
                                ((DatagramChannel) ch).write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                            } catch (IOException e) {
                                // ICMP unreachable reported on the socket: try again next round
                            }
                        }
                    }
                }
            }
            for (Cell c : cells) {
                out.putIfAbsent(c, new Outcome(false, "timeout"));
            }
            for (SelectableChannel ch : open) {
                ch.close();
            }
        }
        return out;
    }
}
