package io.podswitch.api;

import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/cni/gc}: the attachments of {@code network} that are still valid; the daemon
 * releases every other attachment's resources (addresses, TAPs) on that network.
 */
public record GcRequest(String cniVersion, String network, List<Attachment> validAttachments, JsonObject netconf) {
    public GcRequest {
        validAttachments = List.copyOf(validAttachments);
        netconf = netconf == null ? new JsonObject(Map.of()) : netconf;
    }

    public JsonObject toJson() {
        List<JsonValue> list = new ArrayList<>(validAttachments.size());
        for (Attachment a : validAttachments) {
            list.add(a.toJson());
        }
        return new ObjectBuilder().put("cniVersion", cniVersion).put("network", network)
                .put("validAttachments", new JsonArray(list)).put("netconf", netconf).build();
    }

    public static GcRequest fromJson(ObjectReader r) {
        if (!r.has("validAttachments")) {
            throw new JsonShapeException(r.child("validAttachments"),
                    "required list is missing (an empty list means: release everything)");
        }
        List<Attachment> list = new ArrayList<>();
        for (ObjectReader a : r.optionalObjectList("validAttachments")) {
            list.add(Attachment.fromJson(a));
        }
        ObjectReader netconf = r.optionalObject("netconf");
        return new GcRequest(r.requiredNonEmptyString("cniVersion"), r.requiredNonEmptyString("network"), list,
                netconf == null ? null : netconf.object());
    }
}
