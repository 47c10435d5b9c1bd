package io.podswitch.api.json;

/**
 * Well-formed JSON of the wrong shape: a missing member, a member of the wrong kind or out of range.
 * The message starts with the member's path ({@code "ips[1].address"}), so the reader knows where.
 */
public final class JsonShapeException extends RuntimeException {
    private final String path;

    public JsonShapeException(String path, String problem) {
        super((path.isEmpty() ? "" : "\"" + path + "\": ") + problem);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
