package io.podswitch.daemon.api;

import io.podswitch.api.ApiError;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpStatus;
import io.podswitch.daemon.json.JsonCodec;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The control API's answers on Jackson ({@link JsonCodec}'s mapper): JSON responses and the error shape. */
public final class ControlJson {
    private ControlJson() {
    }

    /** The protocol's error shape: {@code {"code": 6, "msg": "...", "details": "..."}}. */
    public static ObjectNode error(ApiError error) {
        ObjectNode node = JsonCodec.MAPPER.createObjectNode();
        node.put("code", error.code());
        node.put("msg", error.msg());
        node.put("details", error.details());
        return node;
    }

    /** Compact UTF-8 bytes of a tree. */
    public static byte[] bytes(JsonNode node) {
        return JsonCodec.bytes(node);
    }

    /** An {@code application/json} answer. */
    public static HttpResponse response(int status, JsonNode body) {
        return new HttpResponse(status, HttpStatus.reason(status), Map.of("content-type", "application/json"),
                bytes(body));
    }
}
