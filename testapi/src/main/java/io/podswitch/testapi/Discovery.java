package io.podswitch.testapi;

import java.util.List;

/**
 * The API discovery documents kubectl reads before it acts ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/GROUP/VERSION}), listing the kinds podswitch watches (and Pods, Namespaces, NetworkPolicies),
 * in the legacy (non-aggregated) format every kubectl understands.
 */
final class Discovery {
    private record Kind(String plural, String singular, String kind, boolean namespaced, String shortName) {
        String json() {
            return "{\"name\":\"" + plural + "\",\"singularName\":\"" + singular + "\",\"namespaced\":" + namespaced
                    + ",\"kind\":\"" + kind + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]"
                    + (shortName == null ? "" : ",\"shortNames\":[\"" + shortName + "\"]") + "}";
        }

        String status() {
            return "{\"name\":\"" + plural + "/status\",\"singularName\":\"\",\"namespaced\":" + namespaced + ",\"kind\":\""
                    + kind + "\",\"verbs\":[\"get\",\"patch\",\"update\"]}";
        }
    }

    private static final List<Kind> CORE = List.of(new Kind("nodes", "node", "Node", false, "no"),
            new Kind("services", "service", "Service", true, "svc"), new Kind("pods", "pod", "Pod", true, "po"),
            new Kind("namespaces", "namespace", "Namespace", false, "ns"));
    private static final List<String> GROUPS = List.of("discovery.k8s.io", "networking.k8s.io");

    private Discovery() {
    }

    /** The discovery document for {@code path}, or null when it is not a discovery request. */
    static String answer(String path) {
        int q = path.indexOf('?');
        String p = q < 0 ? path : path.substring(0, q);
        if (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return switch (p) {
            case "/api" -> "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}";
            case "/apis" -> groups();
            case "/api/v1" -> resources("v1", CORE);
            case "/apis/discovery.k8s.io/v1" -> resources("discovery.k8s.io/v1",
                    List.of(new Kind("endpointslices", "endpointslice", "EndpointSlice", true, null)));
            case "/apis/networking.k8s.io/v1" -> resources("networking.k8s.io/v1",
                    List.of(new Kind("networkpolicies", "networkpolicy", "NetworkPolicy", true, "netpol")));
            default -> null;
        };
    }

    private static String groups() {
        StringBuilder b = new StringBuilder("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[");
        for (int i = 0; i < GROUPS.size(); i++) {
            String g = GROUPS.get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(g).append("\",\"versions\":[{\"groupVersion\":\"")
                    .append(g).append("/v1\",\"version\":\"v1\"}],\"preferredVersion\":{\"groupVersion\":\"").append(g)
                    .append("/v1\",\"version\":\"v1\"}}");
        }
        return b.append("]}").toString();
    }

    private static String resources(String groupVersion, List<Kind> kinds) {
        StringBuilder b = new StringBuilder("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"")
                .append(groupVersion).append("\",\"resources\":[");
        for (int i = 0; i < kinds.size(); i++) {
            b.append(i == 0 ? "" : ",").append(kinds.get(i).json()).append(',').append(kinds.get(i).status());
        }
        return b.append("]}").toString();
    }
}
