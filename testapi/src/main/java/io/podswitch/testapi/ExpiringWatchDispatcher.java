package io.podswitch.testapi;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * fabric8's CRUD dispatcher (an in-memory API server with lists, watches and resourceVersions) plus the one
 * thing a client must survive that it never does: a watch from a resourceVersion the server no longer has.
 * A real kube-apiserver replays events since that version from its watch cache (one per resource type) or,
 * when they have left the cache, answers {@code 410 Gone} (a watch ERROR event with a Status of code 410);
 * the client then lists again. The CRUD mock keeps no history, so here every watch that starts from a
 * resourceVersion older than the newest write to its resource type is answered 410 Gone — what happens to a
 * client that was disconnected while objects changed. A watch from the current resourceVersion (or without
 * one) is served as the CRUD mock serves it.
 *
 * <p>Strategic merge patches of a {@code status} subresource (what network plugins send to set a Node's
 * {@code NetworkUnavailable} condition) are applied as kube-apiserver applies them to
 * {@code status.conditions}: merged by {@code type}, other conditions kept. (The CRUD mock only knows JSON and
 * JSON merge patches.)
 *
 * <p>API discovery ({@code /api}, {@code /apis}, the resource lists of core/v1, discovery.k8s.io/v1 and
 * networking.k8s.io/v1) is answered for the kinds podswitch uses, so that {@code kubectl} can create and list
 * them (with {@code --validate=false}: there is no OpenAPI document).
 *
 * <p>Every request is recorded ({@link #requests}: method, path and query, WebSocket or not; the last
 * {@value #RECORDED} of them), so that tests can check what a client asked: paged lists ({@code limit},
 * {@code continue}), watches and their transport.
 *
 * <p>Deletes count as writes too (the CRUD mock does not advance the resourceVersion on a delete; this
 * dispatcher does, so that a list after a delete carries a newer version than a watch started before it).
 */
public class ExpiringWatchDispatcher extends KubernetesCrudDispatcher {
    /** The newest resourceVersion written, per resource type ("nodes", "services", …). */
    private final Map<String, Long> newestWrite = new ConcurrentHashMap<>();
    /** The version the current thread's write was given (writes run one at a time under the CRUD mock's lock). */
    private final ThreadLocal<long[]> issued = ThreadLocal.withInitial(() -> new long[1]);
    private final AtomicLong expired = new AtomicLong();
    private final BulkLists bulk = new BulkLists();
    static final int RECORDED = 10_000;
    private final ArrayDeque<ApiRequest> requests = new ArrayDeque<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String upgrade = request.getHeader("Upgrade");
        ApiRequest seen = new ApiRequest(String.valueOf(request.method()), request.getPath(),
                upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket"));
        synchronized (requests) {
            if (requests.size() == RECORDED) {
                requests.removeFirst();
            }
            requests.addLast(seen);
        }
        return super.dispatch(request);
    }

    /** The requests received so far (the last {@value #RECORDED}), oldest first. */
    public List<ApiRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Lists of generated objects served besides the CRUD store (benchmarks at 100,000 objects). */
    public BulkLists bulkLists() {
        return bulk;
    }

    @Override
    public long requestResourceVersion() {
        long v = super.requestResourceVersion();
        issued.get()[0] = v;
        return v;
    }

    /** After a write to {@code path}: its resource type's newest version is the one it was given. */
    private MockResponse written(String path, MockResponse response) {
        long v = issued.get()[0];
        if (v > 0) {
            newestWrite.merge(resourceType(path), v, Math::max);
            issued.get()[0] = 0;
        }
        return response;
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return written(request.getPath(), super.handleCreate(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return written(request.getPath(), super.handleUpdate(request));
    }

    /**
     * As the CRUD mock gives a write a new resourceVersion (the object changed at all), without its JSON diff of the
     * two objects (see {@link GenerationRule}): an empty JSON Patch is two equal trees.
     */
    @Override
    public void touchResourceVersion(JsonNode current, JsonNode updated) {
        if (!current.equals(updated)) {
            ((ObjectNode) updated.get("metadata")).put("resourceVersion", String.valueOf(requestResourceVersion()));
        }
    }

    /**
     * As the CRUD mock advances {@code metadata.generation} (anything outside metadata and status changed), without
     * its JSON diff of the two objects ({@link GenerationRule}: ~20 s per PUT of a 10,000-rule NetworkPolicy).
     */
    @Override
    public void touchGeneration(JsonNode current, JsonNode updated) {
        if (GenerationRule.specChanged(current, updated)) {
            ((ObjectNode) updated.get("metadata")).put("generation",
                    current.path("metadata").path("generation").asInt(0) + 1);
        }
    }

    @Override
    public MockResponse handleDelete(String path) {
        MockResponse response = super.handleDelete(path);
        requestResourceVersion(); // the CRUD mock gives a delete no version; a real server does
        return written(path, response);
    }

    @Override
    public MockResponse handleGet(String path) {
        String discovery = Discovery.answer(path);
        if (discovery != null) {
            return new MockResponse().setResponseCode(200).setBody(discovery);
        }
        byte[] list = bulk.answer(path);
        if (list != null) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(list);
        }
        long from = watchFrom(path);
        if (from > 0 && from < newestWrite.getOrDefault(resourceType(path), 0L)) {
            expired.incrementAndGet();
            return gone(from);
        }
        return super.handleGet(path);
    }

    /**
     * The resource type (plural) a request path names: {@code /api/v1/nodes/a/status} → nodes,
     * {@code /apis/discovery.k8s.io/v1/namespaces/x/endpointslices} → endpointslices,
     * {@code /api/v1/namespaces/x} → namespaces.
     */
    static String resourceType(String path) {
        String p = path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        String[] s = p.replaceAll("^/+", "").split("/");
        int i = s.length > 0 && s[0].equals("api") ? 2 : 3; // api/v1/… or apis/GROUP/VERSION/…
        if (i < s.length && s[i].equals("namespaces") && i + 2 < s.length) {
            i += 2;
        }
        return i < s.length ? s[i] : "";
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith("application/strategic-merge-patch+json")) {
            return written(request.getPath(), super.handlePatch(request));
        }
        String path = request.getPath();
        String current = path.endsWith("/status") ? super.handleGet(path.substring(0, path.length() - "/status".length()))
                .getBody().readUtf8() : null;
        String merged = conditionsMergedByType(current, request.getUtf8Body());
        RecordedRequest asMerge = new RecordedRequest(request.getHttpVersion(), request.method(), path,
                request.getHeaders().newBuilder().set("Content-Type", "application/merge-patch+json").build(),
                new Buffer().writeUtf8(merged));
        return written(path, super.handlePatch(asMerge));
    }

    /**
     * The patch with its {@code status.conditions} replaced by the current conditions, each patched one
     * replacing the current one of its {@code type} or appended: a JSON merge patch that does what the
     * strategic merge patch means.
     */
    @SuppressWarnings("unchecked")
    static String conditionsMergedByType(String currentJson, String patchJson) {
        Map<String, Object> patch = Serialization.unmarshal(patchJson, LinkedHashMap.class);
        Object status = patch.get("status");
        if (currentJson == null || !(status instanceof Map<?, ?> patchStatus)
                || !(patchStatus.get("conditions") instanceof List<?> patched)) {
            return patchJson;
        }
        Map<String, Object> current = Serialization.unmarshal(currentJson, LinkedHashMap.class);
        List<Object> conditions = new ArrayList<>();
        if (current.get("status") instanceof Map<?, ?> currentStatus && currentStatus.get("conditions") instanceof List<?> list) {
            conditions.addAll(list);
        }
        for (Object p : patched) {
            Object t = p instanceof Map<?, ?> m ? m.get("type") : null;
            int at = -1;
            for (int i = 0; i < conditions.size(); i++) {
                if (conditions.get(i) instanceof Map<?, ?> c && t != null && t.equals(c.get("type"))) {
                    at = i;
                }
            }
            if (at >= 0) {
                conditions.set(at, p);
            } else {
                conditions.add(p);
            }
        }
        ((Map<String, Object>) patchStatus).put("conditions", conditions);
        return Serialization.asJson(patch);
    }

    /** Watches answered 410 Gone so far. */
    public long expiredWatches() {
        return expired.get();
    }

    /** The resourceVersion a watch request starts from; 0 for a list, a watch without one, or "0" (any). */
    static long watchFrom(String path) {
        String query;
        try {
            query = new URI(path).getRawQuery();
        } catch (URISyntaxException e) {
            return 0;
        }
        if (query == null) {
            return 0;
        }
        boolean watch = false;
        long version = 0;
        for (String pair : query.split("&")) {
            if (pair.equals("watch=true") || pair.equals("watch=1")) {
                watch = true;
            } else if (pair.startsWith("resourceVersion=")) {
                try {
                    version = Long.parseLong(pair.substring("resourceVersion=".length()));
                } catch (NumberFormatException e) {
                    version = 0;
                }
            }
        }
        return watch ? version : 0;
    }

    /** The watch opens, carries one ERROR event with a 410 Status (as kube-apiserver sends it) and closes. */
    private static MockResponse gone(long from) {
        String event = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                + "\"status\":\"Failure\",\"message\":\"too old resource version: " + from + "\",\"reason\":\"Expired\","
                + "\"code\":410}}";
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                webSocket.send(event);
                webSocket.close(1000, "");
            }
        });
    }
}
