package io.podswitch.daemon.cli;

import io.podswitch.api.CniApi;
import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.daemon.json.JsonCodec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code podswitch services add-backend SERVICE ADDRESS [--port N] [--weight N] [--not-ready] [--terminating]}
 * and {@code podswitch services remove-backend SERVICE ADDRESS [--port N]} (plus {@code --socket PATH}):
 * changes a service's backends in a running podswitchd ({@code POST/DELETE /v1/services/endpoints}).
 * {@code --port 0} (the default) means each service port's targetPort. Exit 0 on success, 1 when the
 * daemon is down or refuses (its message is printed), 64 for a bad command line.
 */
final class ServicesCommand {
    static final String USAGE = "usage: podswitch services add-backend SERVICE ADDRESS [--port N] [--weight N] "
            + "[--not-ready] [--terminating] [--socket PATH]\n"
            + "       podswitch services remove-backend SERVICE ADDRESS [--port N] [--socket PATH]";
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private ServicesCommand() {
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String action = args[1];
        boolean add = action.equals("add-backend");
        if (!add && !action.equals("remove-backend")) {
            if (!action.equals("help")) {
                err.println("podswitch services: unknown action '" + action + "'");
            }
            err.println(USAGE);
            return action.equals("help") ? 0 : 64;
        }
        if (args.length < 4 || args[2].startsWith("--") || args[3].startsWith("--")) {
            err.println("podswitch services " + action + ": SERVICE and ADDRESS are required");
            err.println(USAGE);
            return 64;
        }
        String socketEnv = env.get(CniApi.SOCKET_ENV);
        Path socket = Path.of(socketEnv == null || socketEnv.isEmpty() ? CniApi.DEFAULT_SOCKET : socketEnv);
        ObjectNode body = JsonCodec.object().put("service", args[2]).put("address", args[3]);
        for (int i = 4; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port", "--weight" -> {
                    if (i + 1 >= args.length) {
                        err.println("podswitch services " + action + ": " + option + " needs a number");
                        return 64;
                    }
                    long value;
                    try {
                        value = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        err.println("podswitch services " + action + ": " + option + " needs a number, not '" + args[i]
                                + "'");
                        return 64;
                    }
                    if (option.equals("--weight") && !add) {
                        err.println("podswitch services remove-backend: --weight applies to add-backend only");
                        return 64;
                    }
                    body.put(option.substring(2), value);
                }
                case "--not-ready", "--terminating" -> {
                    if (!add) {
                        err.println("podswitch services remove-backend: " + option + " applies to add-backend only");
                        return 64;
                    }
                    body.put(option.equals("--not-ready") ? "ready" : "terminating", !option.equals("--not-ready"));
                }
                case "--socket" -> {
                    if (i + 1 >= args.length) {
                        err.println("podswitch services " + action + ": --socket needs a path");
                        return 64;
                    }
                    socket = Path.of(args[++i]);
                }
                default -> {
                    err.println("podswitch services " + action + ": unknown option " + option);
                    err.println(USAGE);
                    return 64;
                }
            }
        }
        byte[] json = JsonCodec.bytes(body);
        HttpResponse response;
        try {
            response = new UnixHttpClient(socket, TIMEOUT_NANOS, HttpLimits.DEFAULT).exchange(
                    new HttpRequest(add ? "POST" : "DELETE", "/v1/services/endpoints",
                            Map.of("content-type", "application/json"), json), System.nanoTime() + TIMEOUT_NANOS);
        } catch (HttpClientException e) {
            err.println("podswitch services " + action + ": podswitchd is not reachable on " + socket + " ("
                    + e.getMessage() + "); is it running?");
            return 1;
        }
        JsonNode answer;
        try {
            answer = JsonCodec.tree(response.body());
        } catch (JsonCodec.Malformed e) {
            err.println("podswitch services " + action + ": the daemon's answer is not JSON: " + e.getMessage());
            return 1;
        }
        if (response.status() != 200) {
            err.println("podswitch services " + action + ": podswitchd answered " + response.status() + ": "
                    + ClientCommand.errorMessage(answer));
            return 1;
        }
        out.println((add ? "added " : "removed ") + args[3] + (add ? " to " : " from ") + args[2]);
        return 0;
    }
}
