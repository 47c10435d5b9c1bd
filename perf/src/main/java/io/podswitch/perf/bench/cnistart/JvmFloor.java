package io.podswitch.perf.bench.cnistart;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The floor under the plugin's start, run with the plugin's exact JVM flags and an AOT cache of its
 * own ({@code bench cni-start}'s {@code jvm-floor} subject):
 * <ul>
 *   <li>{@code CNI_COMMAND=VERSION}: nothing — the JVM starts and halts (as the plugin does) without
 *       reading stdin or touching a class of its own beyond this one;</li>
 *   <li>{@code CNI_COMMAND=STATUS}: the least a Java client can do to get an answer from podswitchd —
 *       one connection with the JDK's Unix-domain socket channel, the plugin's STATUS request as fixed
 *       bytes, the answer read until the daemon closes or its body is complete, the status line
 *       checked; no JSON, no HTTP library, no CNI environment.</li>
 * </ul>
 * What the plugin spends above these two is the plugin's own code; the JVM's part, and the JDK's part
 * of a round trip, no plugin code can avoid.
 *
 * <p>{@code --train SOCKET}: both, in one JVM, for the AOT cache's training run.
 */
public final class JvmFloor {
    private JvmFloor() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--train")) {
            roundTrip(args[1]);
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: JvmFloor SOCKET (CNI_COMMAND=VERSION|STATUS) | --train SOCKET");
            Runtime.getRuntime().halt(64);
        }
        int exit = "STATUS".equals(System.getenv("CNI_COMMAND")) ? roundTrip(args[0]) : 0;
        Runtime.getRuntime().halt(exit);
    }

    /** @return 0 when podswitchd answered 200 */
    static int roundTrip(String socket) throws IOException {
        byte[] body = ("{\"cniVersion\":\"1.1.0\",\"network\":\"podswitch\",\"netconf\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v1/cni/status HTTP/1.1\r\nHost: podswitchd\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer request = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
        ByteBuffer answer = ByteBuffer.allocate(64 * 1024);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            while (request.hasRemaining()) {
                channel.write(request);
            }
            while (answer.hasRemaining() && channel.read(answer) >= 0 && !complete(answer)) {
                // read until the daemon closes or the body announced by Content-Length is in
            }
        }
        String text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
        return text.startsWith("HTTP/1.1 200") ? 0 : 1;
    }

    /** Whether the head and as many body bytes as its Content-Length announces are in. */
    private static boolean complete(ByteBuffer answer) {
        String text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        if (at < 0 || at > end) {
            return false;
        }
        int eol = text.indexOf("\r\n", at);
        int length = Integer.parseInt(text.substring(at + "content-length:".length(), eol).strip());
        return answer.position() >= end + 4 + length;
    }
}
