package io.podswitch.cni.install;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Canned podswitchd answers for the AOT cache's training run, so that install-cni can train the
 * plugin's whole ADD/CHECK/DEL/STATUS/GC path without a daemon (the DaemonSet's init container runs
 * before podswitchd). One request per connection, answered by path; a container id starting with
 * {@code fail-} gets error 100 on ADD and one starting with {@code gone-} error 3 on DEL, so the
 * error paths are trained too. Only the plugin's side matters here: the server is deliberately
 * crude (it trusts the plugin's framing) and never runs outside training.
 */
final class TrainingDaemon implements AutoCloseable {
    static final String ADD_RESULT = """
            {"interfaces":[{"name":"eth0","mac":"0a:58:0a:f4:00:07","mtu":1450,"sandbox":"%s"}],\
            "ips":[{"address":"10.244.0.7/24","gateway":"10.244.0.1","interface":0},\
            {"address":"fd00:10:244::7/64","gateway":"fd00:10:244::1","interface":0}],\
            "routes":[{"dst":"0.0.0.0/0","gw":"10.244.0.1"},{"dst":"::/0","gw":"fd00:10:244::1"}]}""";

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private TrainingDaemon(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("training-podswitchd").unstarted(this::acceptLoop);
    }

    static TrainingDaemon start(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        TrainingDaemon d = new TrainingDaemon(socket, server);
        d.acceptor.start();
        return d;
    }

    Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String request = readRequest(ch);
                ch.write(ByteBuffer.wrap(answer(request).getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                // A client that went away mid-request (the unreachable/timeout cases): next one.
            }
        }
    }

    /** Head and Content-Length body as text (the plugin always sends Content-Length). */
    private static String readRequest(SocketChannel ch) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        while (true) {
            if (ch.read(buffer) < 0 || !buffer.hasRemaining()) {
                break;
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0 && buffer.position() >= headEnd + 4 + contentLength(text.substring(0, headEnd))) {
                return text;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }

    private static String answer(String request) {
        String path = request.startsWith("POST ") ? request.substring(5, Math.max(5, request.indexOf(' ', 5))) : "";
        if (path.equals("/v1/cni/add")) {
            if (request.contains("\"containerID\":\"fail-")) {
                return response(507, "Insufficient Storage",
                        "{\"code\":100,\"msg\":\"no free address\",\"details\":\"10.244.0.0/24 is exhausted\"}");
            }
            return response(200, "OK", ADD_RESULT.formatted(member(request, "netns")));
        }
        if (path.equals("/v1/cni/del") && request.contains("\"containerID\":\"gone-")) {
            return response(404, "Not Found", "{\"code\":3,\"msg\":\"unknown attachment\"}");
        }
        return response(200, "OK", "{}");
    }

    /** The string value of {@code "name":"…"} in the body (training input has no escapes). */
    private static String member(String request, String name) {
        String key = "\"" + name + "\":\"";
        int start = request.indexOf(key);
        if (start < 0) {
            return "";
        }
        start += key.length();
        return request.substring(start, request.indexOf('"', start));
    }

    private static String response(int status, String reason, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
