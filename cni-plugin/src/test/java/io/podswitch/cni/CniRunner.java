package io.podswitch.cni;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link PodswitchCni#run} the way a runtime runs the executable: env + stdin → exit, stdout. */
final class CniRunner {
    private CniRunner() {
    }

    record Outcome(int exit, String stdout, String stderr, long elapsedMillis) {
        JsonObject json() {
            return JsonParser.parseObject(stdout);
        }

        long code() {
            return ((io.podswitch.api.json.JsonValue.JsonNumber) json().get("code")).asLong();
        }
    }

    static Map<String, String> env(String command, String containerId, String netns, String ifName) {
        Map<String, String> env = new HashMap<>();
        put(env, "CNI_COMMAND", command);
        put(env, "CNI_CONTAINERID", containerId);
        put(env, "CNI_NETNS", netns);
        put(env, "CNI_IFNAME", ifName);
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    static Map<String, String> env(String command, Path socket) {
        Map<String, String> env = env(command, "c0ffee01", "/proc/self/ns/net", "eth0");
        env.put("PODSWITCH_SOCKET", socket.toString());
        return env;
    }

    private static void put(Map<String, String> env, String k, String v) {
        if (v != null) {
            env.put(k, v);
        }
    }

    static Outcome run(Map<String, String> env, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int exit = PodswitchCni.run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), elapsed);
    }

    static String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"podnet\",\"type\":\"podswitch\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }
}
