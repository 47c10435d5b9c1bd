package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.util.Map;

/** Body of {@code POST /v1/cni/status}: is the daemon ready to serve ADD for this network? */
public record StatusRequest(String cniVersion, String network, JsonObject netconf) {
    public StatusRequest {
        netconf = netconf == null ? new JsonObject(Map.of()) : netconf;
    }

    public JsonObject toJson() {
        return new ObjectBuilder().put("cniVersion", cniVersion).put("network", network).put("netconf", netconf)
                .build();
    }

    public static StatusRequest fromJson(ObjectReader r) {
        ObjectReader netconf = r.optionalObject("netconf");
        return new StatusRequest(r.requiredNonEmptyString("cniVersion"), r.requiredNonEmptyString("network"),
                netconf == null ? null : netconf.object());
    }
}
