package io.podswitch.testapi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * A Kubernetes API server for tests, benchmarks and the demo — <b>not a real kube-apiserver</b>: fabric8's
 * mock server in CRUD mode (objects kept in memory, lists, watches over WebSocket, resourceVersions,
 * status subresources, patches) behind an {@link ExpiringWatchDispatcher} (410 Gone for watches that start
 * from an old resourceVersion). Plain HTTP, no authentication: bind it only where tests and demos run.
 */
public final class TestApiServer implements AutoCloseable {
    /** The mock logs every request at INFO; a 100,000-object benchmark would drown in it. Kept referenced. */
    private static final java.util.logging.Logger REQUEST_LOG = quiet("io.fabric8.mockwebserver.MockWebServer");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    private final KubernetesMockServer server;
    private final ExpiringWatchDispatcher dispatcher;
    private final String url;

    private TestApiServer(KubernetesMockServer server, ExpiringWatchDispatcher dispatcher, String url) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.url = url;
    }

    /** Starts on {@code address:port} ({@code port} 0: any free port). */
    public static TestApiServer start(InetAddress address, int port) {
        ExpiringWatchDispatcher dispatcher = new ExpiringWatchDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init(address, port);
        String host = address.getHostAddress();
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
        return new TestApiServer(server, dispatcher, url);
    }

    /** On the loopback address, any free port. */
    public static TestApiServer startLocal() {
        return start(InetAddress.getLoopbackAddress(), 0);
    }

    /** {@code http://ADDRESS:PORT}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getPort();
    }

    /** A new client of this server (close it when done). */
    public KubernetesClient client() {
        return server.createClient();
    }

    public ExpiringWatchDispatcher dispatcher() {
        return dispatcher;
    }

    /** Writes a kubeconfig for {@code serverUrl} (this server, or a forwarder to it) to {@code file}. */
    public static Path writeKubeconfig(Path file, String serverUrl) throws IOException {
        String text = """
                # written by podswitch's test API server (fabric8 mock, CRUD mode): not a real cluster
                apiVersion: v1
                kind: Config
                clusters:
                  - name: podswitch-test
                    cluster: {server: "%s"}
                users:
                  - name: podswitch-test
                    user: {}
                contexts:
                  - name: podswitch-test
                    context: {cluster: podswitch-test, user: podswitch-test}
                current-context: podswitch-test
                """.formatted(serverUrl);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text);
        return file;
    }

    @Override
    public void close() {
        server.destroy();
    }
}
