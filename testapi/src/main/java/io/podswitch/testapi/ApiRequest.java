package io.podswitch.testapi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * A request the test API server received, as tests look at it.
 *
 * @param method    GET, POST, …
 * @param path      path and query, as sent
 * @param webSocket a WebSocket upgrade (fabric8's watches) rather than a plain HTTP request
 */
public record ApiRequest(String method, String path, boolean webSocket) {
    /** The resource type (plural) the path names: nodes, pods, endpointslices, networkpolicies… */
    public String resource() {
        return ExpiringWatchDispatcher.resourceType(path);
    }

    /** A watch ({@code watch=true}). */
    public boolean watch() {
        return query("watch").map(v -> v.equals("true") || v.equals("1")).orElse(false);
    }

    /** A list of a collection: a GET that is not a watch and names no object. */
    public boolean list() {
        if (!method.equals("GET") || watch()) {
            return false;
        }
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return p.replaceAll("/+$", "").endsWith("/" + resource());
    }

    /** The {@code limit} asked (page size), if any. */
    public Optional<Long> limit() {
        return query("limit").map(Long::parseLong);
    }

    /** The {@code continue} token sent (the next page of a paged list), if any. */
    public Optional<String> continueToken() {
        return query("continue");
    }

    /** The {@code resourceVersion} asked, if any. */
    public Optional<String> resourceVersion() {
        return query("resourceVersion");
    }

    /** A query parameter's (raw) value. */
    public Optional<String> query(String name) {
        String query;
        try {
            query = new URI(path).getRawQuery();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if ((eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
                return Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return Optional.empty();
    }
}
