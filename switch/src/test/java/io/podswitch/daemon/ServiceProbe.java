package io.podswitch.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny TCP server and client run inside pod namespaces ({@code ip netns exec NS java ... ServiceProbe}) by
 * {@link ServicesPrivilegedTest}:
 * <pre>
 *   serve NAME PORT          accept forever on [::]:PORT (IPv4 and IPv6), answer NAME, close
 *   connect HOST PORT COUNT  COUNT short connections; print "name=count" per answer, "refused=n", "error=n"
 * </pre>
 */
final class ServiceProbe {
    private ServiceProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            byte[] name = args[1].getBytes(StandardCharsets.UTF_8);
            try (ServerSocket server = new ServerSocket()) {
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName("::"), Integer.parseInt(args[2])), 512);
                System.out.println("listening");
                System.out.flush();
                while (true) {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        out.write(name);
                    } catch (IOException e) {
                        // one broken connection does not stop the server
                    }
                }
            }
        }
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String key;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 3000);
                s.setSoTimeout(3000);
                InputStream in = s.getInputStream();
                key = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (ConnectException e) {
                key = "refused";
            } catch (IOException e) {
                key = "error";
            }
            seen.merge(key, 1, Integer::sum);
        }
        seen.forEach((k, v) -> System.out.println(k + "=" + v));
    }
}
