package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;

/**
 * One entry of a CNI result's {@code ips}: an address in CIDR notation, its gateway (may be null) and
 * the index into {@code interfaces} (-1 when not given). The 0.3.x/0.4.0 {@code version} member is
 * derived from the address when writing those formats, and ignored when reading.
 */
public record ResultIp(String address, String gateway, int interfaceIndex) {
    public ResultIp {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("ip address must not be empty");
        }
    }

    /** "6" for an IPv6 address, "4" otherwise (the value of the pre-1.0 {@code version} member). */
    public String family() {
        return address.indexOf(':') >= 0 ? "6" : "4";
    }

    public JsonObject toJson() {
        return new ObjectBuilder().put("address", address).putIfNotNull("gateway", gateway)
                .putIfNonNegative("interface", interfaceIndex).build();
    }

    public static ResultIp fromJson(ObjectReader r) {
        return new ResultIp(r.requiredNonEmptyString("address"), r.optionalString("gateway"),
                (int) r.optionalLong("interface", 0, Integer.MAX_VALUE, -1));
    }
}
