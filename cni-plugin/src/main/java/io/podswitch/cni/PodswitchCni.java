package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.json.JsonParseException;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code podswitch-cni} executable: the runtime runs it with {@code CNI_*} variables and the
 * network config on stdin; it answers VERSION itself, forwards ADD/DEL/CHECK/STATUS/GC to podswitchd
 * and prints exactly one JSON document on stdout (a result, or a spec error with a non-zero exit).
 *
 * <p>Validation order, so that each problem gets the code the spec gives it: CNI_COMMAND (4), stdin
 * (5), JSON syntax (6), cniVersion present (7) and supported (1), command allowed in that version
 * (1), the command's other variables (4), the rest of the config (7, or 2 for {@code ipam}).
 */
public final class PodswitchCni {
    /** Internal error (a bug in the plugin), the code libcni uses for the same situation. */
    static final int INTERNAL_ERROR = 999;
    private static final int MAX_STDIN_BYTES = JsonParser.DEFAULT_MAX_CHARS;

    private PodswitchCni() {
    }

    public static void main(String[] args) {
        int exit = run(System.getenv(), System.in, System.out, System.err);
        System.out.flush();
        System.err.flush();
        // halt, not exit: System.exit asks the System.Logger framework whether to log the exit (JDK 21+),
        // which brings up java.logging and a service lookup — milliseconds of every pod start, for a
        // process that registers no shutdown hook and has flushed everything it wrote.
        Runtime.getRuntime().halt(exit);
    }

    public static int run(Map<String, String> env, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        long startNanos = System.nanoTime();
        String errorVersion = CniVersion.LATEST.text();
        String debugLog = null;
        String what = String.valueOf(env.get("CNI_COMMAND")) + " " + env.get("CNI_CONTAINERID") + " "
                + env.get("CNI_IFNAME");
        try {
            CniCommand command = CniEnvironment.command(env);
            byte[] input = readStdin(stdin);
            if (command == CniCommand.VERSION) {
                print(stdout, version(input));
                return 0;
            }
            JsonObject raw = parseConfig(input);
            CniVersion version = configVersion(raw);
            errorVersion = version.text();
            if (!command.allowedIn(version)) {
                throw new CniException(ApiError.INCOMPATIBLE_VERSION, "config version does not allow " + command,
                        command + " needs cniVersion " + command.since().text() + " or later; the config says "
                                + version.text());
            }
            CniEnvironment cniEnv = CniEnvironment.read(command, env);
            NetworkConfig config = NetworkConfig.parse(raw, version);
            debugLog = config.debugLogFile();
            DaemonClient daemon = new DaemonClient(DaemonClient.socketPath(env, config),
                    startNanos + config.timeoutSeconds() * 1_000_000_000L, config.timeoutSeconds());
            CniCommands commands = new CniCommands(cniEnv, config, raw, daemon);
            JsonObject output = switch (command) {
                case ADD -> commands.add();
                case DEL -> commands.del();
                case CHECK -> commands.check();
                case STATUS -> commands.status();
                case GC -> commands.gc();
                case VERSION -> throw new IllegalStateException("VERSION is answered above");
            };
            if (output != null) {
                print(stdout, output);
            }
            DebugLog.append(debugLog, what + " ok in " + millisSince(startNanos) + " ms");
            return 0;
        } catch (CniException e) {
            return fail(stdout, stderr, errorVersion, e.code(), e.msg(), e.details(), debugLog, what, startNanos);
        } catch (RuntimeException e) {
            // A bug must still produce a spec error on stdout, never a stack trace as the only output.
            return fail(stdout, stderr, errorVersion, INTERNAL_ERROR, "internal error in podswitch-cni",
                    e.toString(), debugLog, what, startNanos);
        }
    }

    private static JsonObject version(byte[] input) {
        String requested = CniVersion.LATEST.text();
        if (!isBlank(input)) {
            JsonObject raw = parseConfig(input);
            if (raw.get("cniVersion") instanceof JsonString s && !s.value().isEmpty()) {
                requested = s.value();
            }
        }
        return new ObjectBuilder().put("cniVersion", requested)
                .put("supportedVersions", ObjectBuilder.strings(CniVersion.SUPPORTED)).build();
    }

    private static byte[] readStdin(InputStream stdin) {
        try {
            byte[] bytes = stdin.readNBytes(MAX_STDIN_BYTES + 1);
            if (bytes.length > MAX_STDIN_BYTES) {
                throw new CniException(ApiError.DECODING_FAILURE, "network config too large",
                        "stdin holds more than " + MAX_STDIN_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new CniException(ApiError.IO_FAILURE, "failed to read the network config from stdin", e.toString());
        }
    }

    private static JsonObject parseConfig(byte[] input) {
        if (isBlank(input)) {
            throw new CniException(ApiError.DECODING_FAILURE, "no network config on stdin",
                    "stdin is empty; the runtime must pass the network configuration as JSON");
        }
        JsonValue value;
        try {
            value = JsonParser.parse(input);
        } catch (JsonParseException e) {
            throw new CniException(ApiError.DECODING_FAILURE, "failed to decode the network config",
                    e.getMessage());
        }
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new CniException(ApiError.DECODING_FAILURE, "failed to decode the network config",
                "expected a JSON object, got " + value.kindName());
    }

    private static CniVersion configVersion(JsonObject raw) {
        JsonValue v = raw.get("cniVersion");
        if (v == null || (v instanceof JsonString s && s.value().isEmpty())) {
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "invalid network configuration",
                    "\"cniVersion\": required string is missing");
        }
        if (!(v instanceof JsonString s)) {
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "invalid network configuration",
                    "\"cniVersion\": expected string, got " + v.kindName());
        }
        CniVersion version = CniVersion.parse(s.value());
        if (version == null) {
            throw new CniException(ApiError.INCOMPATIBLE_VERSION, "incompatible CNI versions",
                    "config is \"" + s.value() + "\", plugin supports " + String.join(", ", CniVersion.SUPPORTED));
        }
        return version;
    }

    private static int fail(PrintStream stdout, PrintStream stderr, String version, int code, String msg,
            String details, String debugLog, String what, long startNanos) {
        ObjectBuilder b = new ObjectBuilder().put("cniVersion", version).put("code", code).put("msg", msg);
        if (details != null && !details.isEmpty()) {
            b.put("details", details);
        }
        print(stdout, b.build());
        stderr.println("podswitch-cni: error " + code + ": " + msg + (details == null || details.isEmpty()
                ? "" : " — " + details));
        stderr.flush();
        DebugLog.append(debugLog, what + " error " + code + " (" + msg + ": " + details + ") in "
                + millisSince(startNanos) + " ms");
        return 1;
    }

    private static void print(PrintStream stdout, JsonObject json) {
        stdout.writeBytes((JsonWriter.writePretty(json) + "\n").getBytes(StandardCharsets.UTF_8));
        stdout.flush();
    }

    private static boolean isBlank(byte[] input) {
        for (byte b : input) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
