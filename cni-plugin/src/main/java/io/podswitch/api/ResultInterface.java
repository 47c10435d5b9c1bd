package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;

/**
 * One entry of a CNI result's {@code interfaces}. {@code sandbox} is the netns path for interfaces
 * inside the container, empty/null on the host; {@code mtu} is -1 when not given.
 */
public record ResultInterface(String name, String mac, int mtu, String sandbox, String socketPath, String pciId) {
    public ResultInterface {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name must not be empty");
        }
    }

    public JsonObject toJson() {
        return new ObjectBuilder().put("name", name).putIfNotNull("mac", mac).putIfNonNegative("mtu", mtu)
                .putIfNotNull("sandbox", emptyToNull(sandbox)).putIfNotNull("socketPath", socketPath)
                .putIfNotNull("pciID", pciId).build();
    }

    public static ResultInterface fromJson(ObjectReader r) {
        return new ResultInterface(r.requiredNonEmptyString("name"), r.optionalString("mac"),
                (int) r.optionalLong("mtu", 0, Integer.MAX_VALUE, -1), r.optionalString("sandbox"),
                r.optionalString("socketPath"), r.optionalString("pciID"));
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
