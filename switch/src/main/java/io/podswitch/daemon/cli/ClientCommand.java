package io.podswitch.daemon.cli;

import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * {@code podswitch pods|routes|neighbors|ipam|counters|peers|services|status|reload [--socket PATH] [--json]}: asks a running
 * podswitchd over its control socket and prints a table (or the raw JSON with {@code --json}).
 * Exit 0 on success, 1 when the daemon is down or answers with an error, 64 for a bad command line.
 */
public final class ClientCommand {
    private static final String USAGE = "usage: podswitch pods|routes|neighbors|ipam|counters|peers|services|status|reload [--socket PATH] [--json]\n"
            + "       podswitch services add-backend|remove-backend SERVICE ADDRESS [options] (see podswitch services help)\n"
            + "       podswitch policy [pod NAMESPACE/NAME | check FROM TO [PROTOCOL/]PORT] [--json] (see podswitch policy help)";
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private ClientCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 64;
        }
        String view = args[0];
        if (view.equals("services") && args.length > 1 && !args[1].startsWith("--")) {
            return ServicesCommand.run(args, env, out, err);
        }
        if (view.equals("policy")) {
            return PolicyCommand.run(args, env, out, err);
        }
        if (!List.of("pods", "routes", "neighbors", "ipam", "counters", "peers", "services", "status", "reload").contains(view)) {
            err.println("podswitch: unknown command '" + view + "'");
            err.println(USAGE);
            return 64;
        }
        String socketEnv = env.get(CniApi.SOCKET_ENV);
        Path socket = Path.of(socketEnv == null || socketEnv.isEmpty() ? CniApi.DEFAULT_SOCKET : socketEnv);
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--socket" -> {
                    if (i + 1 >= args.length) {
                        err.println("podswitch " + view + ": --socket needs a path");
                        return 64;
                    }
                    socket = Path.of(args[++i]);
                }
                default -> {
                    err.println("podswitch " + view + ": unknown option " + args[i]);
                    err.println(USAGE);
                    return 64;
                }
            }
        }
        HttpResponse response;
        try {
            response = new io.podswitch.api.http.UnixHttpClient(socket, TIMEOUT_NANOS, HttpLimits.DEFAULT)
                    .exchange(view.equals("reload") ? HttpRequest.postJson("/v1/reload", "{}")
                            : new HttpRequest("GET", "/v1/" + view, Map.of(), null), System.nanoTime() + TIMEOUT_NANOS);
        } catch (HttpClientException e) {
            err.println("podswitch " + view + ": podswitchd is not reachable on " + socket + " (" + e.getMessage()
                    + "); is it running?");
            return 1;
        }
        JsonNode body;
        try {
            body = JsonCodec.tree(response.body());
        } catch (JsonCodec.Malformed e) {
            err.println("podswitch " + view + ": the daemon's answer is not JSON: " + e.getMessage());
            return 1;
        }
        if (response.status() != 200) {
            err.println("podswitch " + view + ": podswitchd answered " + response.status() + ": " + errorMessage(body));
            return 1;
        }
        if (json) {
            out.println(JsonCodec.pretty(body));
            return 0;
        }
        try {
            out.print(TableViews.render(view, NodeReader.of(body, "")));
        } catch (JsonCodec.Shape e) {
            err.println("podswitch " + view + ": unexpected answer: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    /** An error answer as one line: the API's {@code msg: details}, or the raw body when it has another shape. */
    static String errorMessage(JsonNode body) {
        try {
            NodeReader error = NodeReader.of(body, "");
            if (error.optionalLong("code", 0, Integer.MAX_VALUE, -1) >= 0) {
                String msg = java.util.Objects.requireNonNullElse(error.optionalString("msg"), "");
                String details = java.util.Objects.requireNonNullElse(error.optionalString("details"), "");
                return msg + (details.isEmpty() ? "" : ": " + details);
            }
        } catch (JsonCodec.Shape ignored) {
            // the raw body below
        }
        return JsonCodec.text(body);
    }

    /** Left-aligned columns separated by two spaces, a header line first. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
