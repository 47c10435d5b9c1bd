package io.podswitch.daemon.policy;

import io.podswitch.api.ApiError;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFormatException;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.pod.ApiException;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.PolicyTables;
import io.podswitch.policy.PortSets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The NetworkPolicy side of the control API, run on the control thread (docs/network-policy.md, "Inspecting"):
 * <pre>
 *   GET /v1/policy                            every policy: selector, types, rules, the pods of this node it
 *                                             selects, its counters; the compiled tables' size and cost
 *   GET /v1/policy/pod/NAMESPACE/NAME         which policies isolate the pod in each direction and what they allow
 *   GET /v1/policy/check?from=A&amp;to=B&amp;port=80[&amp;protocol=TCP]
 *                                             would a new connection pass (A, B: namespace/pod or an address)?
 *                                             answered by the compiled tables and by the reference model
 * </pre>
 */
public final class PolicyOperations {
    public static final String PATH = "/v1/policy";
    private final PolicyManager manager;

    public PolicyOperations(PolicyManager manager) {
        this.manager = manager;
    }

    /** Routes {@code /v1/policy...}; {@code query} is the part after '?', or "". */
    public JsonNode handle(String path, String query) throws ApiException {
        if (path.equals(PATH)) {
            return summary();
        }
        if (path.startsWith(PATH + "/pod/")) {
            return pod(path.substring((PATH + "/pod/").length()));
        }
        if (path.equals(PATH + "/check")) {
            return check(query);
        }
        throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "unknown endpoint", path);
    }

    private JsonNode summary() {
        PolicyManager.Compilation c = manager.lastCompilation();
        CompiledPolicy snap = manager.current();
        Map<NamespacedName, Integer> ids = manager.policyIds();
        List<JsonNode> policies = new ArrayList<>();
        for (NetworkPolicy p : manager.policies()) {
            List<String> selected = new ArrayList<>();
            for (String slot : snap.slotNames()) {
                PodInfo pod = localPod(slot);
                if (pod != null && p.selects(pod)) {
                    selected.add(slot);
                }
            }
            int id = ids.getOrDefault(p.id(), -1);
            policies.add(policy(p).set("selectsOnThisNode", JsonCodec.strings(selected))
                    .put("allowedFlows", id < 0 ? 0 : manager.tables().allowedFlows(id))
                    .put("deniedPackets", id < 0 ? 0 : manager.tables().deniedPackets(id))
                    );
        }
        ObjectNode tables = JsonCodec.object().put("generation", c.generation()).put("compileMicros", c.nanos() / 1000)
                .put("policies", c.policies()).put("pods", c.pods()).put("localPods", snap.slots())
                .put("peerClasses", c.classes()).put("tables", c.tables()).put("portSets", c.portSets())
                .put("prefixLengths", snap.addresses().lengths4() + snap.addresses().lengths6())
                .put("enforcing", snap.enforcing());
        return JsonCodec.object().set("tables", tables).set("policies", JsonCodec.array(policies));
    }

    private JsonNode pod(String name) throws ApiException {
        NamespacedName id;
        try {
            id = NamespacedName.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid pod", e.getMessage());
        }
        PodInfo pod = manager.effectivePods().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() ->
                new ApiException(ApiError.INVALID_NETWORK_CONFIG, "unknown pod", id + " is not a pod podswitchd knows"));
        return JsonCodec.object().put("pod", id.toString()).set("labels", labels(pod.labels()))
                .set("addresses", JsonCodec.strings(pod.ips().stream().map(Object::toString).toList()))
                .put("onThisNode", manager.current().slotNames().contains(id.toString()))
                .put("hostNetwork", pod.hostNetwork())
                .set("ingress", direction(pod, true)).set("egress", direction(pod, false));
    }

    private JsonNode direction(PodInfo pod, boolean ingress) {
        List<NetworkPolicy> by = manager.isolating(pod, ingress);
        List<JsonNode> policies = new ArrayList<>();
        for (NetworkPolicy p : by) {
            policies.add(JsonCodec.object().put("name", p.id().toString())
                    .set("rules", rules(ingress ? p.ingressRules() : p.egressRules(), ingress)));
        }
        return JsonCodec.object().put("isolated", !by.isEmpty()).set("policies", JsonCodec.array(policies));
    }

    private JsonNode check(String query) throws ApiException {
        Map<String, String> q = parseQuery(query);
        IpAddress from = endpoint(q.get("from"), "from");
        IpAddress to = endpoint(q.get("to"), "to");
        if (from.family() != to.family()) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid check", from + " and " + to
                    + " are of different families");
        }
        Protocol protocol;
        try {
            protocol = Protocol.valueOf(q.getOrDefault("protocol", "TCP").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid check", "protocol must be TCP, UDP or SCTP");
        }
        int port;
        try {
            port = Integer.parseInt(q.getOrDefault("port", ""));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid check", "port must be 0..65535");
        }
        PolicyModel model = manager.model();
        CompiledPolicy snap = manager.current();
        long fromInfo = lookup(snap, from);
        long toInfo = lookup(snap, to);
        int egress = snap.egress(fromInfo, toInfo, protocol.ipProtocolNumber(), port);
        int ingress = snap.ingress(fromInfo, toInfo, protocol.ipProtocolNumber(), port);
        return JsonCodec.object().put("from", from.toString()).put("to", to.toString())
                .put("protocol", protocol.name()).put("port", port)
                .put("allowed", model.allows(from, to, protocol.ipProtocolNumber(), port))
                .set("egress", verdict(snap, egress, model.egressAllows(from, to, protocol.ipProtocolNumber(), port)))
                .set("ingress", verdict(snap, ingress, model.ingressAllows(from, to, protocol.ipProtocolNumber(), port)))
                ;
    }

    /** One direction's answer: what the model says, and what this node's tables say (when the pod is here). */
    private static JsonNode verdict(CompiledPolicy snap, int compiled, boolean model) {
        String tables = compiled == CompiledPolicy.NOT_ISOLATED ? "not isolated here"
                : compiled == PortSets.DENIED ? "denied" : "allowed by " + name(snap, compiled);
        return JsonCodec.object().put("allowed", model).put("thisNode", tables);
    }

    private static String name(CompiledPolicy snap, int id) {
        return id < snap.policyNames().size() && snap.policyNames().get(id) != null ? snap.policyNames().get(id) : "#" + id;
    }

    private IpAddress endpoint(String text, String what) throws ApiException {
        if (text == null || text.isEmpty()) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid check", what + " is missing (namespace/pod or an address)");
        }
        if (text.contains("/")) {
            NamespacedName id = NamespacedName.parse(text);
            for (PodInfo p : manager.effectivePods()) {
                if (p.id().equals(id) && !p.ips().isEmpty()) {
                    return p.ips().getFirst();
                }
            }
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "unknown pod", id + " has no address podswitchd knows");
        }
        try {
            return IpAddress.parse(text);
        } catch (IpFormatException e) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "invalid check", e.getMessage());
        }
    }

    private PodInfo localPod(String slotName) {
        NamespacedName id = NamespacedName.parse(slotName);
        for (PodInfo p : manager.effectivePods()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }

    static long lookup(CompiledPolicy snap, IpAddress a) {
        return switch (a) {
            case Ip4Address v4 -> snap.addresses().lookup4(v4.value());
            case Ip6Address v6 -> snap.addresses().lookup6(v6.high(), v6.low());
        };
    }

    static ObjectNode policy(NetworkPolicy p) {
        List<String> types = new ArrayList<>();
        if (p.ingress()) {
            types.add("Ingress");
        }
        if (p.egress()) {
            types.add("Egress");
        }
        return JsonCodec.object().put("name", p.id().toString()).put("podSelector", p.podSelector().toString())
                .set("policyTypes", JsonCodec.strings(types))
                .set("ingress", p.ingress() ? rules(p.ingressRules(), true) : JsonCodec.array(List.of()))
                .set("egress", p.egress() ? rules(p.egressRules(), false) : JsonCodec.array(List.of()));
    }

    /** Each rule as one line: "from pods pod=b in namespaces team=a; 10.0.0.0/8 on TCP/80, UDP/5000-5010". */
    static ArrayNode rules(List<PolicyRule> rules, boolean ingress) {
        List<JsonNode> out = new ArrayList<>();
        for (PolicyRule r : rules) {
            out.add(JsonCodec.MAPPER.getNodeFactory().stringNode(describe(r, ingress)));
        }
        return JsonCodec.array(out);
    }

    static String describe(PolicyRule r, boolean ingress) {
        String peers = r.allPeers() ? (ingress ? "from anywhere" : "to anywhere")
                : (ingress ? "from " : "to ") + String.join("; ", r.peers().stream().map(Object::toString).toList());
        String ports = r.allPorts() ? "on every port and protocol"
                : "on " + String.join(", ", r.ports().stream().map(Object::toString).toList());
        return peers + " " + ports;
    }

    private static JsonNode labels(Map<String, String> labels) {
        ObjectNode b = JsonCodec.object();
        labels.forEach(b::put);
        return b;
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
