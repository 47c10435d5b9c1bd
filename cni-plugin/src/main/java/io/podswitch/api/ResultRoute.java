package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;

/**
 * One entry of a CNI result's {@code routes}. Numeric members are -1 when not given; {@code mtu},
 * {@code advmss}, {@code priority}, {@code table} and {@code scope} exist since spec 1.1.0.
 */
public record ResultRoute(String dst, String gw, int mtu, int advmss, int priority, int table, int scope) {
    public ResultRoute {
        if (dst == null || dst.isEmpty()) {
            throw new IllegalArgumentException("route dst must not be empty");
        }
    }

    public static ResultRoute of(String dst, String gw) {
        return new ResultRoute(dst, gw, -1, -1, -1, -1, -1);
    }

    /** True when one of the members introduced by spec 1.1.0 is set. */
    public boolean hasExtendedMembers() {
        return mtu >= 0 || advmss >= 0 || priority >= 0 || table >= 0 || scope >= 0;
    }

    public JsonObject toJson() {
        return new ObjectBuilder().put("dst", dst).putIfNotNull("gw", gw).putIfNonNegative("mtu", mtu)
                .putIfNonNegative("advmss", advmss).putIfNonNegative("priority", priority)
                .putIfNonNegative("table", table).putIfNonNegative("scope", scope).build();
    }

    public static ResultRoute fromJson(ObjectReader r) {
        return new ResultRoute(r.requiredNonEmptyString("dst"), r.optionalString("gw"), uint(r, "mtu"), uint(r, "advmss"),
                uint(r, "priority"), uint(r, "table"), uint(r, "scope"));
    }

    private static int uint(ObjectReader r, String name) {
        return (int) r.optionalLong(name, 0, Integer.MAX_VALUE, -1);
    }
}
