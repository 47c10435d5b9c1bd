package io.podswitch.daemon.api;

import io.podswitch.api.ApiError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The control API's JSON on Jackson: one configured mapper for the daemon's answers and error bodies. */
public final class ControlJson {
    /** Thread-safe once built; shared by every request thread. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ControlJson() {
    }

    /** The protocol's error shape: {@code {"code": 6, "msg": "...", "details": "..."}}. */
    public static ObjectNode error(ApiError error) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("code", error.code());
        node.put("msg", error.msg());
        node.put("details", error.details());
        return node;
    }

    /** Compact UTF-8 bytes of a tree. */
    public static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }
}
