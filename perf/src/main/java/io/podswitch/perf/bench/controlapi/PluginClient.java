package io.podswitch.perf.bench.controlapi;

import io.podswitch.api.ApiError;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniApi;
import io.podswitch.api.CniResult;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectReader;
import io.podswitch.cni.DaemonAnswer;
import io.podswitch.cni.DaemonClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * ADD and DEL as the CNI plugin sends them, with the plugin's own code ({@link DaemonClient}: connect to the
 * Unix socket, one HTTP/1.1 POST of the plugin's hand-written JSON, read the answer, close; then the result
 * parsed as {@code CniCommands} parses it) — everything a plugin process does per call except starting its
 * JVM. The request is what kubelet's ADD of a pod produces: the K8S_* CNI_ARGS and the shipped conflist's
 * podswitch-cni entry as {@code netconf}.
 */
public final class PluginClient {
    private static final int TIMEOUT_SECONDS = 10;
    /** bin/podswitch-cni's conflist entry (cni-plugin/conf/10-podswitch.conflist), as the runtime hands it over. */
    private static final String NETCONF = """
            {"cniVersion":"1.0.0","name":"podswitch","type":"podswitch-cni",
             "socket":"/run/podswitch/podswitchd.sock","timeoutSeconds":10,
             "capabilities":{"mac":true,"ips":true},"runtimeConfig":{}}""";

    private final Path socket;
    private final JsonObject netconf = JsonParser.parseObject(NETCONF);

    public PluginClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** CNI ADD of pod {@code name}; returns the daemon's result, fails on anything but a usable one. */
    public CniResult add(String containerId, String netns, String name) throws IOException {
        JsonObject body = call(CniApi.PATH_ADD, containerId, netns, name);
        CniResult result = CniResult.fromJson(new ObjectReader(body, "result"));
        if (result.interfaces().isEmpty() || result.ips().isEmpty()) {
            throw new IOException("ADD on " + socket + ": result without interface or address");
        }
        return result;
    }

    /** CNI DEL of the same pod. */
    public void del(String containerId, String netns, String name) throws IOException {
        call(CniApi.PATH_DEL, containerId, netns, name);
    }

    private JsonObject call(String path, String containerId, String netns, String name) throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("IgnoreUnknown", "1");
        args.put("K8S_POD_NAMESPACE", "bench");
        args.put("K8S_POD_NAME", name);
        args.put("K8S_POD_INFRA_CONTAINER_ID", containerId);
        args.put("K8S_POD_UID", "00000000-0000-4000-8000-" + String.format("%012x", containerId.hashCode() & 0xffffffffL));
        AttachmentRequest request = new AttachmentRequest("1.0.0", "podswitch", containerId, netns, "eth0", 0, null,
                List.of(), args, null, null, null, netconf);
        DaemonClient client = new DaemonClient(socket, System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS),
                TIMEOUT_SECONDS);
        DaemonAnswer answer = client.call(path, request.toJson(), ApiError.TRY_AGAIN_LATER);
        if (!answer.isOk()) {
            throw new IOException(path + " on " + socket + " failed: code " + answer.error().code() + " "
                    + answer.error().msg() + " (" + answer.error().details() + ")");
        }
        return answer.body();
    }
}
