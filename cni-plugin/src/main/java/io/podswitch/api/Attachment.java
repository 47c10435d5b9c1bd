package io.podswitch.api;

import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;

/** An attachment's identity: the {@code (CNI_CONTAINERID, CNI_IFNAME)} pair. */
public record Attachment(String containerId, String ifName) {
    public Attachment {
        if (containerId == null || containerId.isEmpty() || ifName == null || ifName.isEmpty()) {
            throw new IllegalArgumentException("attachment needs a container id and an interface name");
        }
    }

    public JsonObject toJson() {
        return new ObjectBuilder().put("containerID", containerId).put("ifName", ifName).build();
    }

    /** Reads the daemon protocol's shape ({@code ifName}) or the spec's GC shape ({@code ifname}). */
    public static Attachment fromJson(ObjectReader r) {
        String ifName = r.has("ifName") ? r.requiredNonEmptyString("ifName") : r.requiredNonEmptyString("ifname");
        return new Attachment(r.requiredNonEmptyString("containerID"), ifName);
    }
}
