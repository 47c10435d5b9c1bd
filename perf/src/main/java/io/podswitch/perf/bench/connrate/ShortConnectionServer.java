package io.podswitch.perf.bench.connrate;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend pod's server for short connections: reads one request line, writes its id and a newline,
 * closes. Several threads accept on one listening socket so a slow peer never stalls the others.
 *
 * <pre>
 *   java -cp CP io.podswitch.perf.bench.connrate.ShortConnectionServer --port 8080 --id b1 [--threads 4]
 * </pre>
 * Prints {@code listening <port>} on stdout once it accepts, so whoever starts it knows when to begin.
 * Runs until killed.
 */
public final class ShortConnectionServer {

    /** Longest request line read; the client sends a few bytes. */
    static final int MAX_REQUEST = 256;

    private final ServerSocket listener;
    private final byte[] reply;

    ShortConnectionServer(ServerSocket listener, String id) {
        this.listener = listener;
        this.reply = (id + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        int port = a.intValue("--port", 1, 65535, -1);
        String id = a.string("--id", null);
        int threads = a.intValue("--threads", 1, 64, 4);
        if (port < 0 || id == null || !id.matches("[A-Za-z0-9._-]{1,32}")) {
            System.err.println("usage: ShortConnectionServer --port P --id NAME [--threads N]");
            System.exit(2);
        }
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(port), 4096);
        ShortConnectionServer server = new ShortConnectionServer(listener, id);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(Thread.ofPlatform().name("accept-" + i).start(server::serve));
        }
        System.out.println("listening " + port);
        System.out.flush();
        for (Thread t : workers) {
            t.join();
        }
    }

    /** Accept loop of one thread; a failed connection is the client's business, not the server's. */
    void serve() {
        byte[] buffer = new byte[MAX_REQUEST];
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(5_000);
                if (readLine(s.getInputStream(), buffer)) {
                    s.getOutputStream().write(reply);
                }
            } catch (SocketException e) {
                if (listener.isClosed()) {
                    return;
                }
            } catch (IOException e) {
                // reset or timed out by the client: next connection
            }
        }
    }

    /** Reads until a newline (true) or end of stream / a full buffer (false). */
    static boolean readLine(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        while (filled < buffer.length) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                return false;
            }
            for (int i = filled; i < filled + n; i++) {
                if (buffer[i] == '\n') {
                    return true;
                }
            }
            filled += n;
        }
        return false;
    }
}
