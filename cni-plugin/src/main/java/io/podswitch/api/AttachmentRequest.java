package io.podswitch.api;

import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/cni/add}, {@code /check} and {@code /del}: everything the daemon needs about
 * one attachment, already validated by the plugin.
 *
 * @param cniVersion    the runtime's requested version (informational; the daemon answers 1.1.0 shape)
 * @param network       the network config's {@code name}
 * @param containerId   {@code CNI_CONTAINERID}
 * @param netns         {@code CNI_NETNS}; empty on DEL when the runtime gave none or the path is gone
 * @param ifName        {@code CNI_IFNAME}
 * @param mtu           MTU from the netconf, 0 = the daemon's default
 * @param mac           requested MAC (runtimeConfig.mac, args.cni.mac or CNI_ARGS MAC), null = daemon picks
 * @param ips           requested static addresses (CIDR or bare), empty = IPAM allocates
 * @param args          the remaining CNI_ARGS pairs (e.g. K8S_POD_NAME), for naming and logging
 * @param runtimeConfig the runtimeConfig object as given (capability arguments), may be empty
 * @param dns           the netconf's dns dictionary, copied into the result
 * @param prevResult    the previous result (CHECK, DEL, chained ADD), null when absent
 * @param netconf       the whole network config as received, minus {@code prevResult}
 */
public record AttachmentRequest(String cniVersion, String network, String containerId, String netns, String ifName,
        int mtu, String mac, List<String> ips, Map<String, String> args, JsonObject runtimeConfig, ResultDns dns,
        CniResult prevResult, JsonObject netconf) {

    public AttachmentRequest {
        ips = ips == null ? List.of() : List.copyOf(ips);
        args = args == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(args));
        runtimeConfig = runtimeConfig == null ? new JsonObject(Map.of()) : runtimeConfig;
        netconf = netconf == null ? new JsonObject(Map.of()) : netconf;
        dns = dns == null ? ResultDns.EMPTY : dns;
        netns = netns == null ? "" : netns;
    }

    public Attachment attachment() {
        return new Attachment(containerId, ifName);
    }

    public JsonObject toJson() {
        Map<String, JsonValue> argMembers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : args.entrySet()) {
            argMembers.put(e.getKey(), new JsonString(e.getValue()));
        }
        ObjectBuilder b = new ObjectBuilder().put("cniVersion", cniVersion).put("network", network)
                .put("containerID", containerId).put("netns", netns).put("ifName", ifName);
        if (mtu > 0) {
            b.put("mtu", mtu);
        }
        b.putIfNotNull("mac", mac).putIfNotEmpty("ips", ips).put("args", new JsonObject(argMembers))
                .put("runtimeConfig", runtimeConfig);
        if (!dns.isEmpty()) {
            b.put("dns", dns.toJson());
        }
        if (prevResult != null) {
            b.put("prevResult", prevResult.toJson());
        }
        return b.put("netconf", netconf).build();
    }

    public static AttachmentRequest fromJson(ObjectReader r) {
        Map<String, String> args = new LinkedHashMap<>();
        ObjectReader argReader = r.optionalObject("args");
        if (argReader != null) {
            for (String key : argReader.object().members().keySet()) {
                args.put(key, argReader.requiredString(key));
            }
        }
        ObjectReader runtimeConfig = r.optionalObject("runtimeConfig");
        ObjectReader prev = r.optionalObject("prevResult");
        ObjectReader netconf = r.optionalObject("netconf");
        return new AttachmentRequest(r.requiredNonEmptyString("cniVersion"), r.requiredNonEmptyString("network"),
                r.requiredNonEmptyString("containerID"), r.optionalString("netns"),
                r.requiredNonEmptyString("ifName"), (int) r.optionalLong("mtu", 0, 65535, 0), r.optionalString("mac"),
                r.optionalStringList("ips"), args, runtimeConfig == null ? null : runtimeConfig.object(),
                ResultDns.fromJson(r.optionalObject("dns")), prev == null ? null : CniResult.fromJson(prev),
                netconf == null ? null : netconf.object());
    }
}
