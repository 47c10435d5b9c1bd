package io.podswitch.api;

/**
 * The plugin↔daemon protocol's fixed points: HTTP/1.1 over a Unix stream socket, one JSON request
 * per connection ({@code Connection: close}), {@code POST} to one path per CNI command.
 *
 * <pre>
 *   POST /v1/cni/add     AttachmentRequest  → 200 CniResult (1.1.0 shape, no cniVersion)
 *   POST /v1/cni/check   AttachmentRequest  → 200 {}
 *   POST /v1/cni/del     AttachmentRequest  → 200 {}      (unknown attachment: 200 or error code 3)
 *   POST /v1/cni/status  StatusRequest      → 200 {}      (not ready: error code 50 or 51)
 *   POST /v1/cni/gc      GcRequest          → 200 {}
 *   any failure          → 4xx/5xx ApiError {"code","msg","details"} with a CNI error code
 * </pre>
 */
public final class CniApi {
    public static final String DEFAULT_SOCKET = "/run/podswitch/podswitchd.sock";
    /** Environment variable that overrides the socket path (tests, non-standard installs). */
    public static final String SOCKET_ENV = "PODSWITCH_SOCKET";

    public static final String PATH_ADD = "/v1/cni/add";
    public static final String PATH_DEL = "/v1/cni/del";
    public static final String PATH_CHECK = "/v1/cni/check";
    public static final String PATH_STATUS = "/v1/cni/status";
    public static final String PATH_GC = "/v1/cni/gc";

    public static final String CONTENT_TYPE = "application/json";

    private CniApi() {
    }
}
