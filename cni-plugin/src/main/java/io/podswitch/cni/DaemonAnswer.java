package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.json.JsonValue.JsonObject;

/** What podswitchd answered: a success body, or an error carrying a CNI code. Exactly one is non-null. */
public record DaemonAnswer(JsonObject body, ApiError error) {
    public boolean isOk() {
        return error == null;
    }
}
