package io.podswitch.daemon.api;

import io.podswitch.api.ApiError;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniApi;
import io.podswitch.api.GcRequest;
import io.podswitch.api.StatusRequest;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.pod.ApiException;
import io.podswitch.daemon.policy.PolicyOperations;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * Routes control API requests: parses and validates the body on the connection's thread, then runs
 * the operation on the {@link ControlThread} and turns the outcome into a JSON response.
 *
 * <pre>
 *   POST /v1/cni/add|del|check|status|gc   the CNI plugin's protocol (docs/cni.md)
 *   GET  /v1/pods|routes|neighbors|ipam|counters|peers|services   views for the CLI and operators
 *   GET  /v1/status                          the cluster source: file, or the API server (connected, synced, stale)
 *   POST /v1/reload                          reload the cluster config (peers, services) without a restart
 *   POST|DELETE /v1/services/endpoints   add / remove a service backend at run time (docs/service.md)
 *   GET  /v1/policy[/pod/NS/NAME|/check?...]  NetworkPolicy: policies, a pod's isolation, a connection check
 *                                            (docs/network-policy.md)
 * </pre>
 *
 * Errors always carry an {@link ApiError} body: 400 + code 6 for malformed JSON, 400 + code 7 for a
 * body of the wrong shape, 404/405 for unknown paths/methods, 503 + code 11 when the control thread
 * is saturated or a request takes longer than {@link #REQUEST_TIMEOUT_MS}.
 */
public final class ControlApi {
    public static final long REQUEST_TIMEOUT_MS = 60_000;

    private final ControlThread control;
    private final CniOperations cni;
    private final DaemonOperations operations;
    private final PeerOperations peerOperations;
    private final StatusOperations statusOperations;
    private final PolicyOperations policyOperations;

    public ControlApi(ControlThread control, DaemonOperations operations) {
        this(control, operations, null, null);
    }

    /**
     * @param peerOperations   {@code /v1/peers} and {@code /v1/reload}; null answers them 404
     * @param statusOperations {@code /v1/status}; null answers it 404
     */
    public ControlApi(ControlThread control, DaemonOperations operations, PeerOperations peerOperations,
                      StatusOperations statusOperations) {
        this(control, operations, peerOperations, statusOperations, null);
    }

    /** @param policyOperations {@code /v1/policy...}; null answers them 404 */
    public ControlApi(ControlThread control, DaemonOperations operations, PeerOperations peerOperations,
                      StatusOperations statusOperations, PolicyOperations policyOperations) {
        this(control, operations, operations, peerOperations, statusOperations, policyOperations);
    }

    /** @param cni the CNI commands (the plugin's protocol), apart from the views: tests put a fake behind it */
    public ControlApi(ControlThread control, CniOperations cni, DaemonOperations operations,
                      PeerOperations peerOperations, StatusOperations statusOperations,
                      PolicyOperations policyOperations) {
        this.control = control;
        this.cni = cni;
        this.operations = operations;
        this.peerOperations = peerOperations;
        this.statusOperations = statusOperations;
        this.policyOperations = policyOperations;
    }

    public HttpResponse handle(HttpRequest request) {
        String target = request.target();
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        try {
            if (path.startsWith("/v1/cni/")) {
                if (!request.method().equals("POST")) {
                    return error(405, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "method not allowed",
                            request.method() + " " + path + " (use POST)"));
                }
                return cni(path, request);
            }
            if (path.equals("/v1/reload") && peerOperations != null) {
                if (!request.method().equals("POST")) {
                    return error(405, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "method not allowed",
                            request.method() + " " + path + " (use POST)"));
                }
                return ok(run(peerOperations::reloadJson));
            }
            if (path.equals(SERVICE_ENDPOINTS)) {
                return serviceEndpoints(request);
            }
            if (policyOperations != null && (path.equals(PolicyOperations.PATH) || path.startsWith(PolicyOperations.PATH + "/"))) {
                if (!request.method().equals("GET")) {
                    return error(405, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "method not allowed",
                            request.method() + " " + path + " (use GET)"));
                }
                String q = query < 0 ? "" : target.substring(query + 1);
                return ok(run(() -> policyOperations.handle(path, q)));
            }
            if (!request.method().equals("GET")) {
                return error(isView(path) ? 405 : 404, new ApiError(ApiError.INVALID_NETWORK_CONFIG,
                        isView(path) ? "method not allowed" : "unknown endpoint", request.method() + " " + path));
            }
            return switch (path) {
                case "/v1/pods" -> ok(run(operations::podsJson));
                case "/v1/routes" -> ok(run(operations::routesJson));
                case "/v1/neighbors" -> ok(run(operations::neighborsJson));
                case "/v1/ipam" -> ok(run(operations::ipamJson));
                case "/v1/counters" -> ok(run(operations::countersJson));
                case "/v1/peers" -> peerOperations == null
                        ? error(404, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "unknown endpoint", path))
                        : ok(run(peerOperations::peersJson));
                case "/v1/services" -> ok(run(operations::servicesJson));
                // Not through the control thread: status must answer while it is busy (a large batch) or stuck.
                case "/v1/status" -> statusOperations == null
                        ? error(404, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "unknown endpoint", path))
                        : ok(statusOperations.statusJson());
                default -> error(404, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "unknown endpoint", path));
            };
        } catch (ApiException e) {
            return error(e.error().httpStatus(), e.error());
        }
    }

    private static boolean isView(String path) {
        return switch (path) {
            case "/v1/pods", "/v1/routes", "/v1/neighbors", "/v1/ipam", "/v1/counters", "/v1/peers", "/v1/services",
                 "/v1/status" -> true;
            default -> false;
        };
    }

    static final String SERVICE_ENDPOINTS = "/v1/services/endpoints";

    /** POST adds (or replaces) a service backend, DELETE removes one; the body names service and address. */
    private HttpResponse serviceEndpoints(HttpRequest request) throws ApiException {
        boolean add = request.method().equals("POST");
        if (!add && !request.method().equals("DELETE")) {
            return error(405, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "method not allowed",
                    request.method() + " " + SERVICE_ENDPOINTS + " (use POST to add, DELETE to remove)"));
        }
        if (request.body() == null || request.body().length == 0) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid request",
                    "a JSON body {\"service\": ..., \"address\": ...} is required");
        }
        ServiceEndpointRequest endpoint;
        try {
            endpoint = ServiceEndpointRequest.fromJson(parseBody(request));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid request", e.getMessage());
        }
        return ok(run(() -> add ? operations.addServiceBackend(endpoint) : operations.removeServiceBackend(endpoint)));
    }

    private HttpResponse cni(String path, HttpRequest request) throws ApiException {
        JsonNode body = parseBody(request);
        try {
            switch (path) {
                case CniApi.PATH_ADD -> {
                    AttachmentRequest add = CniJson.attachmentRequest(body);
                    return ok(run(() -> CniJson.result(cni.add(add))));
                }
                case CniApi.PATH_DEL -> {
                    AttachmentRequest del = CniJson.attachmentRequest(body);
                    run(() -> {
                        cni.del(del);
                        return null;
                    });
                    return ok(EMPTY);
                }
                case CniApi.PATH_CHECK -> {
                    AttachmentRequest check = CniJson.attachmentRequest(body);
                    run(() -> {
                        cni.check(check);
                        return null;
                    });
                    return ok(EMPTY);
                }
                case CniApi.PATH_STATUS -> {
                    CniJson.statusRequest(body);
                    run(() -> {
                        cni.status();
                        return null;
                    });
                    return ok(EMPTY);
                }
                case CniApi.PATH_GC -> {
                    GcRequest gc = CniJson.gcRequest(body);
                    run(() -> {
                        cni.gc(gc);
                        return null;
                    });
                    return ok(EMPTY);
                }
                default -> {
                    return error(404, new ApiError(ApiError.INVALID_NETWORK_CONFIG, "unknown endpoint", path));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid request", e.getMessage());
        }
    }

    private static final JsonNode EMPTY = JsonCodec.MAPPER.createObjectNode();

    /** Malformed JSON is code 6; JSON that is not an object is code 7 (wrong shape), as the plugin's reader said. */
    private static JsonNode parseBody(HttpRequest request) throws ApiException {
        JsonNode body;
        try {
            body = JsonCodec.tree(request.body() == null ? new byte[0] : request.body());
        } catch (JsonCodec.Malformed e) {
            throw new ApiException(ApiError.DECODING_FAILURE, "malformed JSON", e.getMessage());
        }
        if (!body.isObject()) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid request",
                    "expected object, got " + body.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return body;
    }

    /** Runs on the control thread; maps every failure to an ApiException. */
    private <T> T run(Callable<T> operation) throws ApiException {
        try {
            return control.call(operation, REQUEST_TIMEOUT_MS);
        } catch (ControlThread.BusyException e) {
            throw new ApiException(ApiError.TRY_AGAIN_LATER, "busy", e.getMessage());
        } catch (TimeoutException e) {
            throw new ApiException(ApiError.TRY_AGAIN_LATER, "busy",
                    "the request did not complete within " + REQUEST_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.TRY_AGAIN_LATER, "interrupted", "podswitchd is shutting down");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ApiException api) {
                throw api;
            }
            DaemonLog.warn("request failed", cause);
            throw new ApiException(ApiError.INTERFACE_SETUP_FAILED, "internal error", String.valueOf(cause));
        }
    }

    private static HttpResponse ok(JsonNode body) {
        return ControlJson.response(200, body);
    }

    private static HttpResponse error(int status, ApiError error) {
        return ControlJson.response(status, ControlJson.error(error));
    }
}
