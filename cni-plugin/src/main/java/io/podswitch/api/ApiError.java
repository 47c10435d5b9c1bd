package io.podswitch.api;

import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;

/**
 * An error answer of the daemon, carrying a CNI error code so the plugin can pass it to the runtime
 * unchanged. Codes 0–99 are the spec's well-known ones (constants below); 100+ are podswitch's own.
 */
public record ApiError(int code, String msg, String details) {
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODING_FAILURE = 6;
    public static final int INVALID_NETWORK_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    public static final int PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY = 51;
    /** podswitch: no free address left in the node's pod CIDR for a family. */
    public static final int ADDRESS_EXHAUSTED = 100;
    /** podswitch: the daemon failed to wire the interface (netlink, TAP, netns). */
    public static final int INTERFACE_SETUP_FAILED = 101;
    /** podswitch: CHECK found the attachment different from prevResult. */
    public static final int CHECK_FAILED = 102;

    public ApiError {
        if (code < 0) {
            throw new IllegalArgumentException("error code must be >= 0: " + code);
        }
        msg = msg == null ? "" : msg;
        details = details == null ? "" : details;
    }

    public JsonValue.JsonObject toJson() {
        return new ObjectBuilder().put("code", code).put("msg", msg).put("details", details).build();
    }

    public static ApiError fromJson(ObjectReader r) {
        if (!r.has("code")) {
            throw new JsonShapeException(r.child("code"), "required error code is missing");
        }
        return new ApiError((int) r.optionalLong("code", 0, Integer.MAX_VALUE, 0),
                r.optionalString("msg"), r.optionalString("details"));
    }

    /** The HTTP status a server should send with this error (the body's code is what counts). */
    public int httpStatus() {
        return switch (code) {
            case UNKNOWN_CONTAINER -> 404;
            case TRY_AGAIN_LATER, PLUGIN_NOT_AVAILABLE, PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY -> 503;
            case INCOMPATIBLE_VERSION, UNSUPPORTED_FIELD, INVALID_ENVIRONMENT, DECODING_FAILURE,
                 INVALID_NETWORK_CONFIG -> 400;
            case ADDRESS_EXHAUSTED -> 507;
            default -> 500;
        };
    }
}
