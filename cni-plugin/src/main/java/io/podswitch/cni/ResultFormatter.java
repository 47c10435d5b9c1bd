package io.podswitch.cni;

import io.podswitch.api.CniResult;
import io.podswitch.api.ResultInterface;
import io.podswitch.api.ResultIp;
import io.podswitch.api.ResultRoute;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link CniResult} in the format of the version the runtime asked for:
 *
 * <pre>
 *   version   ips[].version   interfaces                           routes
 *   0.3.x     "4" / "6"       name, mac, sandbox                   dst, gw
 *   0.4.0     "4" / "6"       name, mac, sandbox                   dst, gw
 *   1.0.0     —               name, mac, sandbox                   dst, gw
 *   1.1.0     —               + mtu, socketPath, pciID             + mtu, advmss, priority, table, scope
 * </pre>
 *
 * Members are written in the reference plugins' order: cniVersion, interfaces, ips, routes, dns.
 */
public final class ResultFormatter {
    private ResultFormatter() {
    }

    public static JsonObject format(CniResult result, CniVersion version) {
        ObjectBuilder b = new ObjectBuilder().put("cniVersion", version.text());
        if (!result.interfaces().isEmpty()) {
            List<JsonValue> ifs = new ArrayList<>();
            for (ResultInterface i : result.interfaces()) {
                ifs.add(formatInterface(i, version));
            }
            b.put("interfaces", new JsonArray(ifs));
        }
        if (!result.ips().isEmpty()) {
            List<JsonValue> ips = new ArrayList<>();
            for (ResultIp ip : result.ips()) {
                ObjectBuilder ib = new ObjectBuilder();
                if (version.ipsCarryVersion()) {
                    ib.put("version", ip.family());
                }
                ips.add(ib.put("address", ip.address()).putIfNotNull("gateway", ip.gateway())
                        .putIfNonNegative("interface", ip.interfaceIndex()).build());
            }
            b.put("ips", new JsonArray(ips));
        }
        if (!result.routes().isEmpty()) {
            List<JsonValue> routes = new ArrayList<>();
            for (ResultRoute r : result.routes()) {
                routes.add(version.hasExtendedAttributes() ? r.toJson()
                        : new ObjectBuilder().put("dst", r.dst()).putIfNotNull("gw", r.gw()).build());
            }
            b.put("routes", new JsonArray(routes));
        }
        if (!result.dns().isEmpty()) {
            b.put("dns", result.dns().toJson());
        }
        return b.build();
    }

    private static JsonObject formatInterface(ResultInterface i, CniVersion version) {
        if (version.hasExtendedAttributes()) {
            return i.toJson();
        }
        ObjectBuilder b = new ObjectBuilder().put("name", i.name()).putIfNotNull("mac", i.mac());
        if (i.sandbox() != null && !i.sandbox().isEmpty()) {
            b.put("sandbox", i.sandbox());
        }
        return b.build();
    }
}
