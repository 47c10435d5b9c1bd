package io.podswitch.daemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.podswitch.api.Attachment;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.ResultDns;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.api.StatusRequest;
import io.podswitch.daemon.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CNI protocol's bodies (docs/cni.md) as the daemon reads and writes them, on Jackson. The plugin
 * keeps its own small codec for the same shapes ({@code io.podswitch.api}: every class it loads costs
 * ADD latency); {@code CniContractTest} holds both sides to one wire format. Validation matches the
 * plugin's readers: required strings present and non-empty, integers in range, a member of the wrong
 * kind an error naming its path. The daemon checks that {@code runtimeConfig} and {@code netconf} are
 * objects but uses neither (the plugin has already resolved what they say into the other members).
 */
final class CniJson {
    private CniJson() {
    }

    static AttachmentRequest attachmentRequest(JsonNode body) {
        return JsonCodec.convert(body, AttachmentBody.class).toRequest();
    }

    static GcRequest gcRequest(JsonNode body) {
        return JsonCodec.convert(body, GcBody.class).toRequest();
    }

    static StatusRequest statusRequest(JsonNode body) {
        return JsonCodec.convert(body, StatusBody.class).toRequest();
    }

    /** The ADD answer: the version-neutral 1.1.0 shape without {@code cniVersion}. */
    static JsonNode result(CniResult result) {
        return JsonCodec.MAPPER.valueToTree(ResultBody.of(result));
    }

    record AttachmentBody(String cniVersion, String network, @JsonProperty("containerID") String containerId,
                          String netns, String ifName, Long mtu, String mac, List<String> ips, Map<String, String> args,
                          ObjectNode runtimeConfig, DnsBody dns, ResultBody prevResult, ObjectNode netconf) {
        AttachmentRequest toRequest() {
            Map<String, String> pairs = args == null ? Map.of() : args;
            pairs.forEach((key, value) -> {
                if (value == null) {
                    throw new JsonCodec.Shape("\"args." + key + "\": required string is missing");
                }
            });
            return new AttachmentRequest(JsonCodec.required("cniVersion", cniVersion),
                    JsonCodec.required("network", network), JsonCodec.required("containerID", containerId), netns,
                    JsonCodec.required("ifName", ifName), (int) JsonCodec.range("mtu", mtu, 0, 65535, 0), mac,
                    JsonCodec.elements("ips", ips), pairs, null, DnsBody.toDns(dns, "dns"),
                    prevResult == null ? null : prevResult.toResult("prevResult"), null);
        }
    }

    record GcBody(String cniVersion, String network, List<AttachmentId> validAttachments, ObjectNode netconf) {
        GcRequest toRequest() {
            if (validAttachments == null) {
                throw new JsonCodec.Shape("\"validAttachments\": required list is missing"
                        + " (an empty list means: release everything)");
            }
            return new GcRequest(JsonCodec.required("cniVersion", cniVersion), JsonCodec.required("network", network),
                    each(validAttachments, "validAttachments", AttachmentId::toAttachment), null);
        }
    }

    /** The daemon protocol's {@code ifName}, or the spec's GC shape {@code ifname}. */
    record AttachmentId(@JsonProperty("containerID") String containerId, String ifName, String ifname) {
        Attachment toAttachment(String path) {
            String name = ifName != null ? JsonCodec.required(path + ".ifName", ifName)
                    : JsonCodec.required(path + ".ifname", ifname);
            return new Attachment(JsonCodec.required(path + ".containerID", containerId), name);
        }
    }

    record StatusBody(String cniVersion, String network, ObjectNode netconf) {
        StatusRequest toRequest() {
            return new StatusRequest(JsonCodec.required("cniVersion", cniVersion),
                    JsonCodec.required("network", network), null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record DnsBody(List<String> nameservers, String domain, List<String> search, List<String> options) {
        static DnsBody of(ResultDns dns) {
            return dns.isEmpty() ? null : new DnsBody(dns.nameservers(), dns.domain(), dns.search(), dns.options());
        }

        static ResultDns toDns(DnsBody body, String path) {
            return body == null ? ResultDns.EMPTY
                    : new ResultDns(JsonCodec.elements(path + ".nameservers", body.nameservers), body.domain,
                    JsonCodec.elements(path + ".search", body.search), JsonCodec.elements(path + ".options", body.options));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record ResultBody(List<InterfaceBody> interfaces, List<IpBody> ips, List<RouteBody> routes, DnsBody dns) {
        static ResultBody of(CniResult r) {
            List<InterfaceBody> ifs = new ArrayList<>();
            r.interfaces().forEach(i -> ifs.add(new InterfaceBody(i.name(), i.mac(), optional(i.mtu()),
                    i.sandbox() == null || i.sandbox().isEmpty() ? null : i.sandbox(), i.socketPath(), i.pciId())));
            List<IpBody> ips = new ArrayList<>();
            r.ips().forEach(ip -> ips.add(new IpBody(ip.address(), ip.gateway(), optional(ip.interfaceIndex()))));
            List<RouteBody> routes = new ArrayList<>();
            r.routes().forEach(rt -> routes.add(new RouteBody(rt.dst(), rt.gw(), optional(rt.mtu()),
                    optional(rt.advmss()), optional(rt.priority()), optional(rt.table()), optional(rt.scope()))));
            return new ResultBody(ifs, ips, routes, DnsBody.of(r.dns()));
        }

        CniResult toResult(String path) {
            List<ResultInterface> ifs = each(JsonCodec.list(interfaces), path + ".interfaces", InterfaceBody::toInterface);
            List<ResultIp> addresses = each(JsonCodec.list(ips), path + ".ips", IpBody::toIp);
            List<ResultRoute> rts = each(JsonCodec.list(routes), path + ".routes", RouteBody::toRoute);
            try {
                return new CniResult(ifs, addresses, rts, DnsBody.toDns(dns, path + ".dns"));
            } catch (IllegalArgumentException e) {
                throw new JsonCodec.Shape("\"" + path + "\": " + e.getMessage());
            }
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InterfaceBody(String name, String mac, Long mtu, String sandbox, String socketPath,
                         @JsonProperty("pciID") String pciId) {
        ResultInterface toInterface(String path) {
            return new ResultInterface(JsonCodec.required(path + ".name", name), mac,
                    unsigned(path + ".mtu", mtu), sandbox, socketPath, pciId);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record IpBody(String address, String gateway, @JsonProperty("interface") Long interfaceIndex) {
        ResultIp toIp(String path) {
            return new ResultIp(JsonCodec.required(path + ".address", address), gateway,
                    unsigned(path + ".interface", interfaceIndex));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RouteBody(String dst, String gw, Long mtu, Long advmss, Long priority, Long table, Long scope) {
        ResultRoute toRoute(String path) {
            return new ResultRoute(JsonCodec.required(path + ".dst", dst), gw, unsigned(path + ".mtu", mtu),
                    unsigned(path + ".advmss", advmss), unsigned(path + ".priority", priority),
                    unsigned(path + ".table", table), unsigned(path + ".scope", scope));
        }
    }

    /** The protocol's "not given" for a numeric member is -1 in the records and absent on the wire. */
    private static Long optional(int value) {
        return value < 0 ? null : (long) value;
    }

    private static int unsigned(String path, Long value) {
        return (int) JsonCodec.range(path, value, 0, Integer.MAX_VALUE, -1);
    }

    /** Converts each element, naming it {@code path[i]}; a null element is an error. */
    private static <B, T> List<T> each(List<B> bodies, String path, java.util.function.BiFunction<B, String, T> convert) {
        List<T> out = new ArrayList<>(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            String at = path + "[" + i + "]";
            if (bodies.get(i) == null) {
                throw new JsonCodec.Shape("\"" + at + "\": expected object, got null");
            }
            out.add(convert.apply(bodies.get(i), at));
        }
        return out;
    }
}
