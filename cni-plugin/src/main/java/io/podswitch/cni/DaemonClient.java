package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpParseException;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.api.json.JsonParseException;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectReader;
import java.nio.file.Path;
import java.util.Map;

/**
 * The plugin's side of the protocol: POSTs one JSON body and reads one JSON answer, all within the
 * deadline. Transport failures become CNI errors here, so callers only see answers or CniExceptions.
 */
public final class DaemonClient {
    /** Connecting to a Unix socket is local and instant when the daemon is up; waiting longer helps nobody. */
    static final long CONNECT_TIMEOUT_NANOS = 2_000_000_000L;

    private final Path socket;
    private final UnixHttpClient http;
    private final long deadlineNanos;
    private final int timeoutSeconds;

    public DaemonClient(Path socket, long deadlineNanos, int timeoutSeconds) {
        this.socket = socket;
        this.http = new UnixHttpClient(socket, CONNECT_TIMEOUT_NANOS, HttpLimits.DEFAULT);
        this.deadlineNanos = deadlineNanos;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Picks the socket: {@code PODSWITCH_SOCKET} overrides the netconf's {@code socket}, else the default. */
    public static Path socketPath(Map<String, String> env, NetworkConfig config) {
        String fromEnv = env.get(CniApi.SOCKET_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Path.of(fromEnv);
        }
        return Path.of(config.socket() != null ? config.socket() : CniApi.DEFAULT_SOCKET);
    }

    /**
     * Calls {@code path}. {@code unreachableCode} is the CNI code for "no daemon" (11 for attachment
     * commands; STATUS uses 51, since without podswitchd existing pods have no data path either).
     */
    public DaemonAnswer call(String path, JsonObject body, int unreachableCode) {
        HttpResponse response;
        try {
            response = http.exchange(HttpRequest.postJson(path, JsonWriter.write(body)), deadlineNanos);
        } catch (HttpClientException e) {
            switch (e.kind()) {
                case UNREACHABLE -> throw new CniException(unreachableCode, "podswitchd is not reachable",
                        e.getMessage() + " (is podswitchd running? the runtime should retry)");
                case TIMEOUT -> throw new CniException(unreachableCode, "podswitchd did not answer in time",
                        e.getMessage() + " (limit " + timeoutSeconds + " s, netconf timeoutSeconds)");
                default -> {
                    // A broken connection is transient (daemon restarting): retry. An answer that is
                    // not HTTP is a daemon bug or a foreign process on the socket: an I/O failure.
                    if (e.getCause() instanceof HttpParseException) {
                        throw new CniException(ApiError.IO_FAILURE, "malformed answer from podswitchd", e.getMessage());
                    }
                    throw new CniException(ApiError.TRY_AGAIN_LATER, "connection to podswitchd failed", e.getMessage());
                }
            }
        }
        JsonValue parsed;
        try {
            parsed = response.body().length == 0 ? new JsonObject(Map.of()) : JsonParser.parse(response.body());
        } catch (JsonParseException e) {
            if (response.status() == 503) {
                throw new CniException(ApiError.TRY_AGAIN_LATER, "podswitchd is busy", "HTTP 503 " + response.reason());
            }
            throw new CniException(ApiError.IO_FAILURE, "malformed answer from podswitchd",
                    path + " → HTTP " + response.status() + ", body is not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof JsonObject object)) {
            throw new CniException(ApiError.IO_FAILURE, "malformed answer from podswitchd",
                    path + " → HTTP " + response.status() + ", body is a JSON " + parsed.kindName() + ", not an object");
        }
        if (response.status() >= 200 && response.status() < 300) {
            return new DaemonAnswer(object, null);
        }
        try {
            return new DaemonAnswer(null, ApiError.fromJson(new ObjectReader(object, "")));
        } catch (JsonShapeException e) {
            int code = response.status() == 503 ? ApiError.TRY_AGAIN_LATER : ApiError.IO_FAILURE;
            throw new CniException(code, "podswitchd failed without a usable error",
                    path + " → HTTP " + response.status() + " " + response.reason() + ": " + e.getMessage());
        }
    }

    public Path socket() {
        return socket;
    }
}
