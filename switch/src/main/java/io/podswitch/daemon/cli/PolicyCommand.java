package io.podswitch.daemon.cli;

import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * {@code podswitch policy} — NetworkPolicy in a running podswitchd ({@code GET /v1/policy...}):
 * <pre>
 *   podswitch policy [--json]                        every policy, what it selects here, its rules and counters
 *   podswitch policy pod NAMESPACE/NAME [--json]     which policies isolate the pod and what they allow
 *   podswitch policy check FROM TO [PROTOCOL/]PORT   would a new connection pass? FROM, TO: namespace/pod or address
 * </pre>
 * Exit 0 on success (for {@code check}: also when the answer is "denied"), 1 when the daemon is down or
 * refuses, 64 for a bad command line.
 */
public final class PolicyCommand {
    static final String USAGE = "usage: podswitch policy [--json] [--socket PATH]\n"
            + "       podswitch policy pod NAMESPACE/NAME [--json] [--socket PATH]\n"
            + "       podswitch policy check FROM TO [PROTOCOL/]PORT [--json] [--socket PATH]   "
            + "(FROM, TO: namespace/pod or an address)";
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private PolicyCommand() {
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>();
        boolean json = false;
        String socketEnv = env.get(CniApi.SOCKET_ENV);
        Path socket = Path.of(socketEnv == null || socketEnv.isEmpty() ? CniApi.DEFAULT_SOCKET : socketEnv);
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--socket" -> {
                    if (i + 1 >= args.length) {
                        err.println("podswitch policy: --socket needs a path");
                        return 64;
                    }
                    socket = Path.of(args[++i]);
                }
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        err.println("podswitch policy: unknown option '" + args[i] + "'");
                        err.println(USAGE);
                        return 64;
                    }
                    words.add(args[i]);
                }
            }
        }
        String path;
        if (words.isEmpty()) {
            path = "/v1/policy";
        } else if (words.get(0).equals("pod") && words.size() == 2) {
            path = "/v1/policy/pod/" + words.get(1);
        } else if (words.get(0).equals("check") && words.size() == 4) {
            String port = words.get(3);
            String protocol = "TCP";
            int slash = port.indexOf('/');
            if (slash >= 0) {
                protocol = port.substring(0, slash);
                port = port.substring(slash + 1);
            }
            path = "/v1/policy/check?from=" + encode(words.get(1)) + "&to=" + encode(words.get(2)) + "&protocol="
                    + encode(protocol) + "&port=" + encode(port);
        } else {
            err.println(USAGE);
            return 64;
        }
        JsonNode answer;
        try {
            HttpResponse r = new UnixHttpClient(socket, TIMEOUT_NANOS, HttpLimits.DEFAULT)
                    .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + TIMEOUT_NANOS);
            answer = JsonCodec.tree(r.body());
            if (r.status() != 200) {
                err.println("podswitch policy: podswitchd answered " + r.status() + ": " + ClientCommand.errorMessage(answer));
                return 1;
            }
        } catch (HttpClientException e) {
            err.println("podswitch policy: podswitchd is not reachable on " + socket + " (" + e.getMessage()
                    + "); is it running?");
            return 1;
        } catch (JsonCodec.Malformed e) {
            err.println("podswitch policy: podswitchd answered with something that is not the expected JSON: " + e.getMessage());
            return 1;
        }
        if (json) {
            out.println(JsonCodec.pretty(answer));
            return 0;
        }
        NodeReader r;
        try {
            r = NodeReader.of(answer, "");
        } catch (JsonCodec.Shape e) {
            err.println("podswitch policy: podswitchd answered with something that is not the expected JSON: " + e.getMessage());
            return 1;
        }
        if (words.isEmpty()) {
            printPolicies(r, out);
        } else if (words.get(0).equals("pod")) {
            printPod(r, out);
        } else {
            printCheck(r, out);
        }
        return 0;
    }

    private static void printPolicies(NodeReader r, PrintStream out) {
        NodeReader t = r.optionalObject("tables");
        out.printf("generation %d: %d policies, %d pods (%d on this node), %d peer classes, %d tables, %d port sets, "
                        + "compiled in %.1f ms%n", num(t, "generation"), num(t, "policies"), num(t, "pods"),
                num(t, "localPods"), num(t, "peerClasses"), num(t, "tables"), num(t, "portSets"),
                num(t, "compileMicros") / 1000.0);
        for (NodeReader p : r.optionalObjectList("policies")) {
            out.printf("%n%s  podSelector %s  %s  selects here: %s  allowed %d flows, denied %d packets%n",
                    p.requiredString("name"), p.requiredString("podSelector"),
                    String.join(",", p.optionalStringList("policyTypes")), list(p.optionalStringList("selectsOnThisNode")),
                    num(p, "allowedFlows"), num(p, "deniedPackets"));
            rules(out, "ingress", p.optionalStringList("policyTypes").contains("Ingress"), p.optionalStringList("ingress"));
            rules(out, "egress", p.optionalStringList("policyTypes").contains("Egress"), p.optionalStringList("egress"));
        }
    }

    private static void printPod(NodeReader r, PrintStream out) {
        out.printf("%s%s  %s  labels %s%n", r.requiredString("pod"), r.optionalBoolean("onThisNode", false) ? " (on this node)" : "",
                list(r.optionalStringList("addresses")), labels(r.optionalObject("labels")));
        for (String dir : new String[] {"ingress", "egress"}) {
            NodeReader d = r.optionalObject(dir);
            if (!d.optionalBoolean("isolated", false)) {
                out.printf("%s: not isolated (everything allowed)%n", dir);
                continue;
            }
            List<NodeReader> policies = d.optionalObjectList("policies");
            out.printf("%s: isolated by %s; allowed:%n", dir, String.join(", ",
                    policies.stream().map(p -> p.requiredString("name")).toList()));
            for (NodeReader p : policies) {
                List<String> rules = p.optionalStringList("rules");
                if (rules.isEmpty()) {
                    out.printf("  %s: nothing (no %s rules)%n", p.requiredString("name"), dir);
                }
                for (String rule : rules) {
                    out.printf("  %s: %s%n", p.requiredString("name"), rule);
                }
            }
        }
    }

    private static void printCheck(NodeReader r, PrintStream out) {
        out.printf("%s → %s %s/%d: %s%n", r.requiredString("from"), r.requiredString("to"), r.requiredString("protocol"),
                num(r, "port"), r.optionalBoolean("allowed", false) ? "allowed" : "denied");
        for (String dir : new String[] {"egress", "ingress"}) {
            NodeReader d = r.optionalObject(dir);
            out.printf("  %s: %s (this node's tables: %s)%n", dir, d.optionalBoolean("allowed", false) ? "allowed" : "denied",
                    d.requiredString("thisNode"));
        }
    }

    private static void rules(PrintStream out, String dir, boolean applies, List<String> rules) {
        if (!applies) {
            return;
        }
        if (rules.isEmpty()) {
            out.printf("  %s: nothing allowed (isolates, no rules)%n", dir);
        }
        for (String rule : rules) {
            out.printf("  %s: %s%n", dir, rule);
        }
    }

    private static long num(NodeReader r, String name) {
        return r.optionalLong(name, Long.MIN_VALUE, Long.MAX_VALUE, 0);
    }

    private static String list(List<String> items) {
        return items.isEmpty() ? "-" : String.join(", ", items);
    }

    private static String labels(NodeReader labels) {
        List<String> out = new ArrayList<>();
        for (String k : labels.names()) {
            out.add(k + "=" + labels.requiredString(k));
        }
        return out.isEmpty() ? "-" : String.join(",", out);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
