package io.podswitch.daemon.cli;

import io.podswitch.daemon.json.NodeReader;
import io.podswitch.daemon.uplink.UplinkChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** Turns the control API's JSON views into the CLI's human tables. */
final class TableViews {
    private TableViews() {
    }

    static String render(String view, NodeReader body) {
        return switch (view) {
            case "pods" -> pods(body);
            case "routes" -> routes(body);
            case "neighbors" -> neighbors(body);
            case "ipam" -> ipam(body);
            case "peers" -> peers(body);
            case "reload" -> "reloaded: " + body.requiredString("summary") + "\n";
            case "services" -> services(body);
            case "status" -> status(body);
            default -> counters(body);
        };
    }

    /** {@code podswitch status}: where the cluster view comes from and how current it is. */
    private static String status(NodeReader body) {
        StringBuilder out = new StringBuilder("node " + body.requiredString("node") + ", source "
                + body.requiredString("source") + " (" + body.requiredString("config") + ")\n");
        NodeReader k = body.optionalObject("kubernetes");
        if (k == null) {
            return out.toString();
        }
        long stale = k.optionalLong("staleMillis", 0, Long.MAX_VALUE, 0);
        out.append("API server ").append(k.requiredString("server")).append(": ")
                .append(k.optionalBoolean("connected", false) ? "connected" : "NOT connected").append(", ")
                .append(k.optionalBoolean("synced", false) ? "synced" : "NOT synced")
                .append(stale == 0 ? "" : ", view stale for " + seconds(stale)).append("\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (NodeReader w : k.optionalObjectList("watches")) {
            long s = w.optionalLong("staleMillis", 0, Long.MAX_VALUE, 0);
            rows.add(List.of(w.requiredString("resource"), yes(w, "synced"), yes(w, "watching"), num(w, "items"),
                    num(w, "lists"), num(w, "restarts"), w.requiredString("resourceVersion"), s == 0 ? "-" : seconds(s),
                    w.requiredString("lastError")));
        }
        out.append(ClientCommand.table(List.of("RESOURCE", "SYNCED", "WATCHING", "OBJECTS", "LISTS", "RESTARTS",
                "RESOURCE VERSION", "STALE", "LAST ERROR"), rows));
        out.append("\npeers: ").append(num(k, "peers")).append(" other node(s) routed to\n");
        NodeReader services = k.optionalObject("services");
        if (services != null) {
            out.append("services: ").append(num(services, "served")).append(" served, ").append(num(services, "ignored"))
                    .append(" not proxied (headless, ExternalName, another proxy's)\n");
        }
        NodeReader policy = k.optionalObject("policy");
        if (policy != null) {
            out.append("network policy: ").append(num(policy, "networkPolicies")).append(" NetworkPolicies, ")
                    .append(num(policy, "pods")).append(" pods, ").append(num(policy, "namespaces"))
                    .append(" namespaces (").append(num(policy, "compilations")).append(" compilations)\n");
        }
        NodeReader latency = k.optionalObject("programmingLatency");
        if (latency != null && latency.optionalLong("count", 0, Long.MAX_VALUE, 0) > 0) {
            out.append("network programming latency (EndpointSlice change → data path): ").append(num(latency, "count"))
                    .append(" changes, p50 ").append(millis(latency, "p50Micros")).append(", p99 ")
                    .append(millis(latency, "p99Micros")).append(", max ").append(millis(latency, "maxMicros")).append('\n');
        }
        if (services != null) {
            out.append(reasons("SERVICE NOT SERVED", services.optionalObject("unservable")));
        }
        out.append(reasons("NODE SKIPPED", k.optionalObject("skippedNodes")));
        if (policy != null) {
            out.append(reasons("POLICY INPUT SKIPPED", policy.optionalObject("skipped")));
        }
        return out.toString();
    }

    private static String reasons(String header, NodeReader reasons) {
        if (reasons == null || reasons.names().isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (String name : reasons.names()) {
            rows.add(List.of(name, reasons.requiredString(name)));
        }
        return "\n" + ClientCommand.table(List.of(header, "WHY"), rows);
    }

    private static String millis(NodeReader r, String micros) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", r.optionalLong(micros, 0, Long.MAX_VALUE, 0) / 1000.0);
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String pods(NodeReader body) {
        List<List<String>> rows = new ArrayList<>();
        for (NodeReader p : body.optionalObjectList("pods")) {
            String id = p.requiredString("containerID");
            rows.add(List.of(id.length() > 12 ? id.substring(0, 12) : id, p.requiredString("ifName"),
                    String.join(",", p.optionalStringList("addresses")), p.requiredString("mac"),
                    num(p, "mtu"), num(p, "portId"), num(p, "worker"), num(p, "rxPackets"), num(p, "txPackets"),
                    p.requiredString("netns")));
        }
        return ClientCommand.table(List.of("CONTAINER", "IF", "ADDRESSES", "MAC", "MTU", "PORT", "WORKER", "RX", "TX",
                "NETNS"), rows);
    }

    private static String routes(NodeReader body) {
        List<List<String>> rows = new ArrayList<>();
        for (NodeReader r : body.optionalObjectList("routes")) {
            String target = r.has("portName") ? r.requiredString("portName") + " (port " + num(r, "port") + ")"
                    : r.has("port") ? "port " + num(r, "port") : "";
            String via = r.has("mac") ? r.requiredString("mac") : r.has("via") ? r.requiredString("via") : "";
            rows.add(List.of(r.requiredString("prefix"), r.requiredString("kind"), target, via,
                    r.has("mtu") ? num(r, "mtu") : ""));
        }
        return ClientCommand.table(List.of("PREFIX", "KIND", "PORT", "NEXT HOP", "MTU"), rows);
    }

    private static String neighbors(NodeReader body) {
        List<List<String>> rows = new ArrayList<>();
        for (NodeReader n : body.optionalObjectList("neighbors")) {
            String port = n.has("portName") ? n.requiredString("portName") + " (" + num(n, "port") + ")" : num(n, "port");
            rows.add(List.of(n.requiredString("address"), n.requiredString("mac"), port, num(n, "worker"),
                    n.requiredString("state")));
        }
        return ClientCommand.table(List.of("ADDRESS", "MAC", "PORT", "WORKER", "STATE"), rows);
    }

    private static String peers(NodeReader body) {
        List<List<String>> rows = new ArrayList<>();
        for (NodeReader p : body.optionalObjectList("peers")) {
            String hop = p.requiredString("nextHop") + (p.requiredString("nextHopMac").isEmpty() ? ""
                    : " " + p.requiredString("nextHopMac"));
            rows.add(List.of(p.requiredString("name"), String.join(",", p.optionalStringList("addresses")),
                    String.join(",", p.optionalStringList("podCIDRs")), p.requiredString("mode"), hop,
                    p.requiredString("state"), num(p, "encapPackets") + "/" + num(p, "encapBytes"),
                    num(p, "decapPackets") + "/" + num(p, "decapBytes")));
        }
        StringBuilder out = new StringBuilder();
        NodeReader uplink = body.optionalObject("uplink");
        if (uplink != null) {
            out.append("uplink ").append(uplink.requiredString("interface")).append(": ")
                    .append(UplinkChoice.describe(uplink.requiredString("attach"), uplink.requiredString("configured"),
                            uplink.requiredString("reason"))).append('\n');
        }
        out.append(ClientCommand.table(List.of("NODE", "ADDRESSES", "POD CIDRS", "MODE",
                "NEXT HOP", "STATE", "ENCAP PKTS/BYTES", "DECAP PKTS/BYTES"), rows));
        NodeReader drops = body.optionalObject("drops");
        if (drops != null) {
            List<List<String>> dropRows = new ArrayList<>();
            drops.integers().forEach((name, packets) -> {
                if (packets != 0) {
                    dropRows.add(List.of(name, Long.toString(packets)));
                }
            });
            if (!dropRows.isEmpty()) {
                out.append('\n').append(ClientCommand.table(List.of("OVERLAY DROP", "PACKETS"), dropRows));
            }
        }
        return out.toString();
    }

    private static String ipam(NodeReader body) {
        List<List<String>> ranges = new ArrayList<>();
        for (NodeReader r : body.optionalObjectList("ranges")) {
            ranges.add(List.of(r.requiredString("cidr"), r.requiredString("gateway"), num(r, "allocated"), num(r, "size")));
        }
        List<List<String>> allocations = new ArrayList<>();
        for (NodeReader a : body.optionalObjectList("allocations")) {
            allocations.add(List.of(a.requiredString("containerID"), a.requiredString("ifName"),
                    String.join(",", a.optionalStringList("addresses"))));
        }
        return ClientCommand.table(List.of("RANGE", "GATEWAY", "ALLOCATED", "SIZE"), ranges) + "\n"
                + ClientCommand.table(List.of("CONTAINER", "IF", "ADDRESSES"), allocations);
    }

    /** One row per service key (VIP/port or node port), backends listed with the service. */
    private static String services(NodeReader body) {
        List<List<String>> keys = new ArrayList<>();
        List<List<String>> backends = new ArrayList<>();
        for (NodeReader s : body.optionalObjectList("services")) {
            String name = s.requiredString("name");
            for (NodeReader k : s.optionalObjectList("keys")) {
                keys.add(List.of(k.requiredString("name"), num(k, "generation"), num(k, "packets"),
                        num(k, "newConnections"), num(k, "noBackend")));
            }
            for (NodeReader b : s.optionalObjectList("backends")) {
                List<String> ports = new ArrayList<>();
                for (JsonNode port : b.optionalArray("ports")) {
                    ports.add(port.isNumber() ? port.toString() : "?");
                }
                backends.add(List.of(name, b.requiredString("address"), String.join(",", ports), num(b, "weight"),
                        yes(b, "ready"), yes(b, "serving"), yes(b, "terminating"), yes(b, "local"),
                        Objects.requireNonNullElse(b.optionalString("nodeName"), "")));
            }
        }
        return ClientCommand.table(List.of("KEY", "GEN", "PACKETS", "NEW CONNECTIONS", "NO BACKEND"), keys) + "\n"
                + ClientCommand.table(List.of("SERVICE", "BACKEND", "PORTS", "WEIGHT", "READY", "SERVING", "TERMINATING",
                "LOCAL", "NODE"), backends);
    }

    private static String counters(NodeReader body) {
        List<List<String>> rows = new ArrayList<>();
        NodeReader counters = body.optionalObject("counters");
        if (counters != null) {
            counters.integers().forEach((name, value) -> {
                if (value != 0) {
                    rows.add(List.of(name, Long.toString(value)));
                }
            });
        }
        return ClientCommand.table(List.of("COUNTER (non-zero)", "VALUE"), rows);
    }

    private static String yes(NodeReader r, String name) {
        return r.optionalBoolean(name, false) ? "yes" : "no";
    }

    private static String num(NodeReader r, String name) {
        return Long.toString(r.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0));
    }
}
