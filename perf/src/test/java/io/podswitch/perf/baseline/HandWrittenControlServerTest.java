package io.podswitch.perf.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.CniResult;
import io.podswitch.daemon.api.ControlApi;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.perf.bench.controlapi.CannedCni;
import io.podswitch.perf.bench.controlapi.PluginClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control-api scenario's baseline serves what the Netty server serves: the plugin's ADD/DEL reach the
 * same ControlApi and come back as a usable result, malformed framing gets the API's JSON error (400, code 6),
 * a client that leaves without a byte costs nothing, and close removes the socket file.
 */
class HandWrittenControlServerTest {
    @TempDir
    Path dir;

    @Test
    void servesThePluginsAddAndDelThroughTheControlApi() throws Exception {
        CannedCni cni = new CannedCni();
        try (ControlThread control = new ControlThread();
             HandWrittenControlServer server = HandWrittenControlServer.start(dir.resolve("hand.sock"),
                     new ControlApi(control, cni, null, null, null, null)::handle)) {
            PluginClient plugin = new PluginClient(server.socket());
            CniResult result = plugin.add("c1", "/var/run/netns/c1", "web-1");
            assertEquals("eth0", result.interfaces().getFirst().name());
            assertEquals(2, result.ips().size());
            plugin.del("c1", "/var/run/netns/c1", "web-1");
            assertEquals(1, cni.adds());
            assertEquals(1, cni.dels());
        }
    }

    @Test
    void malformedRequestGetsTheApisJsonErrorAndSilentClientsCostNothing() throws Exception {
        try (ControlThread control = new ControlThread();
             HandWrittenControlServer server = HandWrittenControlServer.start(dir.resolve("hand.sock"),
                     new ControlApi(control, new CannedCni(), null, null, null, null)::handle)) {
            try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
                assertTrue(silent.isConnected());
            }
            String answer;
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(server.socket()));
                c.write(ByteBuffer.wrap("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                InputStream in = Channels.newInputStream(c);
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                answer = all.toString(StandardCharsets.UTF_8);
            }
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("\"code\":6"), answer);
            assertEquals("eth0", new PluginClient(server.socket()).add("c2", "/var/run/netns/c2", "web-2")
                    .interfaces().getFirst().name());
            assertEquals(0, server.acceptFailures());
        }
        assertFalse(Files.exists(dir.resolve("hand.sock")));
    }
}
