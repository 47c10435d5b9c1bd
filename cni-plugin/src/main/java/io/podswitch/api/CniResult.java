package io.podswitch.api;

import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.api.json.ObjectReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The version-neutral success result of an ADD: what the daemon answers and what {@code prevResult}
 * holds. On the wire between plugin and daemon it has the spec 1.1.0 shape without {@code cniVersion};
 * the plugin converts it to the runtime's version. Reading accepts every supported version's shape.
 */
public record CniResult(List<ResultInterface> interfaces, List<ResultIp> ips, List<ResultRoute> routes,
        ResultDns dns) {

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        dns = dns == null ? ResultDns.EMPTY : dns;
        for (ResultIp ip : ips) {
            if (ip.interfaceIndex() >= interfaces.size()) {
                throw new IllegalArgumentException("ip " + ip.address() + " refers to interface index "
                        + ip.interfaceIndex() + " but there are " + interfaces.size() + " interfaces");
            }
        }
    }

    /**
     * Appends {@code added} after this (an interface plugin run after others keeps their result and
     * adds its own), shifting the added IPs' interface indices past the existing interfaces.
     */
    public CniResult followedBy(CniResult added) {
        List<ResultInterface> allInterfaces = new ArrayList<>(interfaces);
        allInterfaces.addAll(added.interfaces);
        List<ResultIp> allIps = new ArrayList<>(ips);
        for (ResultIp ip : added.ips) {
            int index = ip.interfaceIndex() < 0 ? -1 : ip.interfaceIndex() + interfaces.size();
            allIps.add(new ResultIp(ip.address(), ip.gateway(), index));
        }
        List<ResultRoute> allRoutes = new ArrayList<>(routes);
        allRoutes.addAll(added.routes);
        return new CniResult(allInterfaces, allIps, allRoutes, added.dns.isEmpty() ? dns : added.dns);
    }

    public JsonObject toJson() {
        List<JsonValue> ifs = new ArrayList<>();
        for (ResultInterface i : interfaces) {
            ifs.add(i.toJson());
        }
        List<JsonValue> ipList = new ArrayList<>();
        for (ResultIp ip : ips) {
            ipList.add(ip.toJson());
        }
        List<JsonValue> routeList = new ArrayList<>();
        for (ResultRoute r : routes) {
            routeList.add(r.toJson());
        }
        ObjectBuilder b = new ObjectBuilder();
        if (!ifs.isEmpty()) {
            b.put("interfaces", new JsonArray(ifs));
        }
        if (!ipList.isEmpty()) {
            b.put("ips", new JsonArray(ipList));
        }
        if (!routeList.isEmpty()) {
            b.put("routes", new JsonArray(routeList));
        }
        if (!dns.isEmpty()) {
            b.put("dns", dns.toJson());
        }
        return b.build();
    }

    public static CniResult fromJson(ObjectReader r) {
        List<ResultInterface> ifs = new ArrayList<>();
        for (ObjectReader i : r.optionalObjectList("interfaces")) {
            ifs.add(ResultInterface.fromJson(i));
        }
        List<ResultIp> ipList = new ArrayList<>();
        for (ObjectReader i : r.optionalObjectList("ips")) {
            ipList.add(ResultIp.fromJson(i));
        }
        List<ResultRoute> routeList = new ArrayList<>();
        for (ObjectReader i : r.optionalObjectList("routes")) {
            routeList.add(ResultRoute.fromJson(i));
        }
        try {
            return new CniResult(ifs, ipList, routeList, ResultDns.fromJson(r.optionalObject("dns")));
        } catch (IllegalArgumentException e) {
            throw new JsonShapeException(r.path(), e.getMessage());
        }
    }
}
