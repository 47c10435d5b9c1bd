package io.podswitch.daemon.api;

import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.config.cidr.IpAddress;

/**
 * Body of {@code POST /v1/services/endpoints} (add or replace a backend) and {@code DELETE
 * /v1/services/endpoints} (remove one): {@code {"service": "web", "address": "10.244.1.7", "port": 0,
 * "weight": 1, "ready": true, "terminating": false}}. {@code port} 0 (the default) means each service
 * port's targetPort; weight, ready and terminating matter only when adding.
 */
public record ServiceEndpointRequest(String service, IpAddress address, int port, int weight, boolean ready,
                                     boolean terminating) {

    /** @throws JsonShapeException or IllegalArgumentException with a message naming the bad field */
    public static ServiceEndpointRequest fromJson(ObjectReader r) {
        String service = r.requiredNonEmptyString("service");
        String text = r.requiredNonEmptyString("address");
        IpAddress address;
        try {
            address = IpAddress.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("address: '" + text + "' is not an IP address (" + e.getMessage() + ")");
        }
        int port = (int) r.optionalLong("port", 0, 65535, 0);
        int weight = (int) r.optionalLong("weight", 1, 65535, 1);
        return new ServiceEndpointRequest(service, address, port, weight, r.optionalBoolean("ready", true),
                r.optionalBoolean("terminating", false));
    }
}
