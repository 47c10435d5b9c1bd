package io.podswitch.perf.bench.connrate;

import io.podswitch.nativeio.Netns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * When does a destination first accept a connection? From inside a pod's namespace, a new non-blocking
 * connection attempt every {@value #INTERVAL_MICROS} µs (a dropped SYN is only retried by the kernel after a
 * second, so each attempt is a fresh connection) until one completes; the answer is the {@link System#nanoTime}
 * it completed at. Used to time "policy changed → enforced".
 */
public final class FirstConnection {
    static final long INTERVAL_MICROS = 1000;

    private FirstConnection() {
    }

    /** The time the first attempt connected, or -1 if none did by {@code deadlineNanos}. */
    public static long await(String netns, String ip, int port, long deadlineNanos) {
        return Netns.call(netns, () -> {
            List<SocketChannel> open = new ArrayList<>();
            try (Selector selector = Selector.open()) {
                InetSocketAddress target = new InetSocketAddress(ip, port);
                long nextAttempt = 0;
                while (System.nanoTime() < deadlineNanos) {
                    long now = System.nanoTime();
                    if (now >= nextAttempt) {
                        SocketChannel c = SocketChannel.open();
                        c.configureBlocking(false);
                        open.add(c);
                        if (c.connect(target)) {
                            return System.nanoTime();
                        }
                        c.register(selector, SelectionKey.OP_CONNECT);
                        nextAttempt = now + INTERVAL_MICROS * 1000;
                    }
                    selector.select(1);
                    for (SelectionKey key : selector.selectedKeys()) {
                        try {
                            if (((SocketChannel) key.channel()).finishConnect()) {
                                return System.nanoTime();
                            }
                        } catch (IOException refused) {
                            key.cancel();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                return -1L;
            } finally {
                for (SocketChannel c : open) {
                    c.close();
                }
            }
        });
    }
}
