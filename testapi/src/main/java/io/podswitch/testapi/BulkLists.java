package io.podswitch.testapi;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Lists served from generated items instead of the CRUD store: what a benchmark needs to put 100,000 Pods
 * behind a list request without creating them one by one (the CRUD mock takes ~5 ms per create, and keeps
 * every object). A bulk list is answered for {@code GET PATH} (any query but a watch), with kube-apiserver's
 * paging ({@code limit} and {@code continue}) when the client asks for it; watches of the same resource go
 * on to the CRUD mock, where nothing of that type is stored, so they open and stay quiet. The items are
 * rendered when a list is served (an {@link IntFunction} of the item's index to its JSON), so the server
 * holds none of them between requests.
 */
public final class BulkLists {
    /** One bulk list: {@code count} items of {@code kind}List rendered by {@code item}, at {@code resourceVersion}. */
    record Bulk(String apiVersion, String kind, int count, IntFunction<String> item, String resourceVersion) {
    }

    private final Map<String, Bulk> lists = new ConcurrentHashMap<>();

    /**
     * Serves {@code count} items at {@code path} (e.g. {@code /api/v1/pods}), each the JSON {@code item}
     * renders for its index, as a {@code kind}List of {@code apiVersion} at {@code resourceVersion}.
     */
    public void serve(String path, String apiVersion, String kind, int count, IntFunction<String> item,
                      String resourceVersion) {
        lists.put(path, new Bulk(apiVersion, kind, count, item, resourceVersion));
    }

    /** The list body for a GET of {@code pathAndQuery}, or null when it is not a bulk list (or a watch). */
    byte[] answer(String pathAndQuery) {
        URI uri;
        try {
            uri = new URI(pathAndQuery);
        } catch (URISyntaxException e) {
            return null;
        }
        Bulk bulk = lists.get(uri.getPath());
        if (bulk == null) {
            return null;
        }
        int limit = 0;
        int from = 0;
        String query = uri.getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.equals("watch=true") || pair.equals("watch=1")) {
                return null;
            } else if (pair.startsWith("limit=")) {
                limit = Integer.parseInt(pair.substring("limit=".length()));
            } else if (pair.startsWith("continue=")) {
                from = Integer.parseInt(pair.substring("continue=".length()));
            }
        }
        int to = limit > 0 ? Math.min(bulk.count(), from + limit) : bulk.count();
        return render(bulk, from, to);
    }

    /** The page as one array of its exact size (100,000 pods are ~200 MB: no doubling buffer on top). */
    private static byte[] render(Bulk bulk, int from, int to) {
        String head = "{\"apiVersion\":\"" + bulk.apiVersion() + "\",\"kind\":\"" + bulk.kind() + "List\","
                + "\"metadata\":{\"resourceVersion\":\"" + bulk.resourceVersion() + "\""
                + (to < bulk.count() ? ",\"continue\":\"" + to + "\",\"remainingItemCount\":" + (bulk.count() - to) : "")
                + "},\"items\":[";
        byte[][] parts = new byte[to - from + 2][];
        parts[0] = head.getBytes(StandardCharsets.UTF_8);
        for (int i = from; i < to; i++) {
            parts[i - from + 1] = ((i > from ? "," : "") + bulk.item().apply(i)).getBytes(StandardCharsets.UTF_8);
        }
        parts[parts.length - 1] = "]}".getBytes(StandardCharsets.UTF_8);
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
