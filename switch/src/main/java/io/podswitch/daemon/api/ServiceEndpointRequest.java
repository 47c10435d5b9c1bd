package io.podswitch.daemon.api;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.json.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * Body of {@code POST /v1/services/endpoints} (add or replace a backend) and {@code DELETE
 * /v1/services/endpoints} (remove one): {@code {"service": "web", "address": "10.244.1.7", "port": 0,
 * "weight": 1, "ready": true, "terminating": false}}. {@code port} 0 (the default) means each service
 * port's targetPort; weight, ready and terminating matter only when adding.
 */
public record ServiceEndpointRequest(String service, IpAddress address, int port, int weight, boolean ready,
                                     boolean terminating) {

    /** The body as sent; absent members are null. */
    record Body(String service, String address, Long port, Long weight, Boolean ready, Boolean terminating) {
    }

    /** @throws IllegalArgumentException with a message naming the bad field */
    public static ServiceEndpointRequest fromJson(JsonNode json) {
        Body body = JsonCodec.convert(json, Body.class);
        String service = JsonCodec.required("service", body.service());
        String text = JsonCodec.required("address", body.address());
        IpAddress address;
        try {
            address = IpAddress.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("address: '" + text + "' is not an IP address (" + e.getMessage() + ")");
        }
        int port = (int) JsonCodec.range("port", body.port(), 0, 65535, 0);
        int weight = (int) JsonCodec.range("weight", body.weight(), 1, 65535, 1);
        return new ServiceEndpointRequest(service, address, port, weight,
                body.ready() == null || body.ready(), body.terminating() != null && body.terminating());
    }
}
