package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.CniResult;
import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.api.json.JsonValue.JsonObject;

/**
 * Reads {@code prevResult}, which may be in any supported version's result format (0.3.x/0.4.0 with
 * {@code ips[].version}, 1.x without). Malformed → error 7, except on DEL, where it is treated as
 * absent: DEL must release what it can, and the daemon knows the attachment by its id anyway.
 */
public final class PrevResult {
    private PrevResult() {
    }

    /** The parsed previous result, or null when the config carries none. */
    public static CniResult read(JsonObject config, boolean lenient) {
        ObjectReader r = new ObjectReader(config, "");
        ObjectReader prev;
        try {
            prev = r.optionalObject("prevResult");
            return prev == null ? null : CniResult.fromJson(prev);
        } catch (JsonShapeException e) {
            if (lenient) {
                return null;
            }
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "invalid prevResult", e.getMessage());
        }
    }
}
