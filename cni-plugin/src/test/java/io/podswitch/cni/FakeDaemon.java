package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniApi;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.api.StatusRequest;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpParseException;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpServerExchange;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for podswitchd speaking the protocol of {@link CniApi} over a real Unix socket: an
 * in-memory "IPAM" that hands out 10.88.0.N/24 + fd00:88::N/64, remembers attachments, answers DEL of
 * unknown attachments with code 3, and can be told to hang or to fail. Also runnable as a process
 * ({@link #main}) for the startup measurements in docs/cni.md.
 */
public final class FakeDaemon implements AutoCloseable {
    /** What the next requests should get, beyond the normal behaviour. */
    public enum Mode { NORMAL, HANG, FAIL_STATUS_50, BUSY, GARBAGE, DIE }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, CniResult> attachments = new ConcurrentHashMap<>();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.NORMAL;
    private int nextHost = 2;

    /** A request as the daemon saw it: path and parsed JSON body. */
    public record Received(String path, JsonObject body) {
    }

    public FakeDaemon(Path socket) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofPlatform().daemon().name("fake-podswitchd").start(this::acceptLoop);
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public Path socket() {
        return socket;
    }

    public List<Received> received() {
        return received;
    }

    public Received last() {
        return received.get(received.size() - 1);
    }

    public Map<String, CniResult> attachments() {
        return attachments;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                open.add(ch);
                Thread.ofVirtual().start(() -> serve(ch));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            OutputStream out = Channels.newOutputStream(ch);
            HttpRequest request;
            try {
                request = HttpServerExchange.readRequest(in, HttpLimits.DEFAULT);
            } catch (HttpParseException e) {
                HttpServerExchange.writeResponse(out, HttpServerExchange.errorResponse(e), false);
                return;
            }
            if (request == null) {
                return;
            }
            if (mode == Mode.DIE) {
                return; // read the request, answer nothing: as a daemon killed mid-request
            }
            if (mode == Mode.HANG) {
                Thread.sleep(60_000);
                return;
            }
            HttpResponse response = handle(request);
            HttpServerExchange.writeResponse(out, response, false);
        } catch (IOException | InterruptedException e) {
            // Client went away or the daemon is closing: nothing to answer.
        } finally {
            open.remove(ch);
        }
    }

    private HttpResponse handle(HttpRequest request) {
        if (mode == Mode.GARBAGE) {
            return HttpResponse.json(200, "this is not json");
        }
        if (mode == Mode.BUSY) {
            return error(new ApiError(ApiError.TRY_AGAIN_LATER, "busy", "IPAM store is being compacted"));
        }
        JsonObject body = JsonParser.parseObject(request.bodyText());
        received.add(new Received(request.target(), body));
        ObjectReader r = new ObjectReader(body, "");
        switch (request.target()) {
            case CniApi.PATH_ADD -> {
                AttachmentRequest req = AttachmentRequest.fromJson(r);
                String key = req.containerId() + "/" + req.ifName();
                CniResult result = allocate(req);
                attachments.put(key, result);
                return HttpResponse.json(200, JsonWriter.write(result.toJson()));
            }
            case CniApi.PATH_DEL -> {
                AttachmentRequest req = AttachmentRequest.fromJson(r);
                if (attachments.remove(req.containerId() + "/" + req.ifName()) == null) {
                    return error(new ApiError(ApiError.UNKNOWN_CONTAINER, "unknown attachment",
                            req.containerId() + "/" + req.ifName()));
                }
                return HttpResponse.json(200, "{}");
            }
            case CniApi.PATH_CHECK -> {
                AttachmentRequest req = AttachmentRequest.fromJson(r);
                CniResult known = attachments.get(req.containerId() + "/" + req.ifName());
                if (known == null || req.prevResult() == null || !sameEssentials(known, req.prevResult())) {
                    return error(new ApiError(ApiError.CHECK_FAILED, "attachment differs from prevResult",
                            "expected " + (known == null ? "nothing" : JsonWriter.write(known.toJson()))));
                }
                return HttpResponse.json(200, "{}");
            }
            case CniApi.PATH_STATUS -> {
                StatusRequest.fromJson(r);
                if (mode == Mode.FAIL_STATUS_50) {
                    return error(new ApiError(ApiError.PLUGIN_NOT_AVAILABLE, "address pool exhausted",
                            "10.88.0.0/24 has no free address"));
                }
                return HttpResponse.json(200, "{}");
            }
            case CniApi.PATH_GC -> {
                GcRequest gc = GcRequest.fromJson(r);
                List<String> keep = new ArrayList<>();
                gc.validAttachments().forEach(a -> keep.add(a.containerId() + "/" + a.ifName()));
                attachments.keySet().retainAll(keep);
                return HttpResponse.json(200, "{}");
            }
            default -> {
                return error(new ApiError(ApiError.INVALID_NETWORK_CONFIG, "no such endpoint", request.target()));
            }
        }
    }

    private synchronized CniResult allocate(AttachmentRequest req) {
        int host = nextHost++;
        String mac = req.mac() != null ? req.mac() : String.format("0a:58:0a:58:00:%02x", host);
        List<ResultIp> ips = new ArrayList<>();
        List<ResultRoute> routes = new ArrayList<>();
        if (!req.ips().isEmpty()) {
            for (String ip : req.ips()) {
                ips.add(new ResultIp(ip.contains("/") ? ip : ip + "/24", null, 0));
            }
        } else {
            ips.add(new ResultIp("10.88.0." + host + "/24", "10.88.0.1", 0));
            ips.add(new ResultIp("fd00:88::" + Integer.toHexString(host) + "/64", "fd00:88::1", 0));
            routes.add(ResultRoute.of("0.0.0.0/0", "10.88.0.1"));
            routes.add(ResultRoute.of("::/0", "fd00:88::1"));
        }
        int mtu = req.mtu() > 0 ? req.mtu() : 1500;
        ResultInterface pod = new ResultInterface(req.ifName(), mac, mtu, req.netns(), null, null);
        return new CniResult(List.of(pod), ips, routes, req.dns());
    }

    /** What a CHECK compares: the pod interface's name and MAC and the addresses (version-neutral). */
    private static boolean sameEssentials(CniResult a, CniResult b) {
        List<String> left = new ArrayList<>();
        List<String> right = new ArrayList<>();
        for (ResultInterface i : a.interfaces()) {
            left.add(i.name() + " " + i.mac());
        }
        for (ResultInterface i : b.interfaces()) {
            right.add(i.name() + " " + i.mac());
        }
        for (ResultIp ip : a.ips()) {
            left.add(ip.address());
        }
        for (ResultIp ip : b.ips()) {
            right.add(ip.address());
        }
        return left.equals(right);
    }

    private static HttpResponse error(ApiError e) {
        return HttpResponse.json(e.httpStatus(), JsonWriter.write(e.toJson()));
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel ch : open) {
            ch.close();
        }
        Files.deleteIfExists(socket);
    }

    /** Runs the fake daemon until killed: {@code FakeDaemon <socket path>}. */
    public static void main(String[] args) throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(Path.of(args[0]))) {
            System.out.println("fake podswitchd on " + daemon.socket());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
