package io.podswitch.cluster;

import io.podswitch.nativeio.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service backend inside a pod that says who it is, for {@link ServiceClusterPrivilegedTest}: TCP on
 * {@code [::]:port} answers each connection with {@code "NAME CLIENT-ADDRESS\n"} and then echoes lines
 * until the client closes; UDP answers each datagram with the same line. All in this JVM: the sockets
 * are opened by a thread inside the pod's namespace ({@link Netns#call}) and stay there.
 */
final class NamedServer implements AutoCloseable {
    private final String name;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private volatile boolean closed;

    private NamedServer(String name, ServerSocket tcp, DatagramSocket udp) {
        this.name = name;
        this.tcp = tcp;
        this.udp = udp;
        Thread.ofPlatform().daemon().name("named-tcp-" + name).start(this::acceptLoop);
        Thread.ofPlatform().daemon().name("named-udp-" + name).start(this::udpLoop);
    }

    static NamedServer start(String netns, String name, int port) {
        ServerSocket t = Netns.call(netns, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 1024);
            return s;
        });
        DatagramSocket u = Netns.call(netns, () -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), port)));
        return new NamedServer(name, t, u);
    }

    private String hello(InetAddress client) {
        String a = client.getHostAddress();
        if (a.startsWith("::ffff:")) {
            a = a.substring(7);
        }
        return name + " " + a + "\n";
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = tcp.accept();
                Thread.ofVirtual().start(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket c) {
        try (c) {
            OutputStream out = c.getOutputStream();
            out.write(hello(c.getInetAddress()).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away (or was reset)
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[2048];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] answer = hello(p.getAddress()).getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
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
        udp.close();
    }

    // ---- clients ----------------------------------------------------------------------------------

    /**
     * One TCP connection from {@code netns} (null: the test's own) to {@code address:port}: the greeting
     * line ("NAME CLIENT"), or "refused", "timeout" or the error.
     */
    static String tcpHello(String netns, String address, int port) {
        return netns == null ? hello(address, port) : Netns.call(netns, () -> hello(address, port));
    }

    private static String hello(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 3000);
            s.setSoTimeout(3000);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return line == null ? "closed" : line;
        } catch (ConnectException e) {
            return "refused";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** {@code count} short TCP connections from inside {@code netns}: how many answers each backend name gave (plus failures). */
    static Map<String, Integer> tcpSpread(String netns, String address, int port, int count) {
        return Netns.call(netns, () -> {
            Map<String, Integer> counts = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                String line = hello(address, port);
                counts.merge(line.split(" ")[0], 1, Integer::sum);
            }
            return counts;
        });
    }

    /** One UDP datagram from {@code netns} and the answer line, up to three tries; "timeout" if none came. */
    static String udpHello(String netns, String address, int port) {
        return Netns.call(netns, () -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(1500);
                byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
                for (int attempt = 0; attempt < 3; attempt++) {
                    s.send(new DatagramPacket(ping, ping.length, new InetSocketAddress(InetAddress.getByName(address), port)));
                    byte[] buf = new byte[256];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                        return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8).strip();
                    } catch (SocketTimeoutException e) {
                        // try again
                    }
                }
                return "timeout";
            }
        });
    }
}
