package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.AttachmentRequest;
import io.podswitch.api.CniApi;
import io.podswitch.api.CniResult;
import io.podswitch.api.GcRequest;
import io.podswitch.api.StatusRequest;
import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five daemon-backed commands, on validated input. Each returns the JSON to print on stdout, or
 * null for "success, no output"; failures are {@link CniException}s.
 */
final class CniCommands {
    private final CniEnvironment env;
    private final NetworkConfig config;
    private final JsonObject rawConfig;
    private final DaemonClient daemon;

    CniCommands(CniEnvironment env, NetworkConfig config, JsonObject rawConfig, DaemonClient daemon) {
        this.env = env;
        this.config = config;
        this.rawConfig = rawConfig;
        this.daemon = daemon;
    }

    JsonObject add() {
        CniResult prev = PrevResult.read(rawConfig, false);
        DaemonAnswer answer = daemon.call(CniApi.PATH_ADD, attachmentRequest(env.netns(), prev).toJson(),
                ApiError.TRY_AGAIN_LATER);
        failUnlessOk(answer);
        CniResult ours;
        try {
            ours = CniResult.fromJson(new ObjectReader(answer.body(), "result"));
        } catch (JsonShapeException e) {
            throw new CniException(ApiError.IO_FAILURE, "malformed ADD result from podswitchd", e.getMessage());
        }
        if (ours.interfaces().isEmpty() || ours.ips().isEmpty()) {
            throw new CniException(ApiError.IO_FAILURE, "incomplete ADD result from podswitchd",
                    "the result must list the pod interface and at least one address");
        }
        // An interface plugin placed after others in a chain keeps their result and appends its own.
        CniResult result = prev == null ? ours : prev.followedBy(ours);
        return ResultFormatter.format(result, config.cniVersion());
    }

    JsonObject check() {
        CniResult prev = PrevResult.read(rawConfig, false);
        if (prev == null) {
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "prevResult missing",
                    "CHECK needs the result of the preceding ADD in \"prevResult\"");
        }
        failUnlessOk(daemon.call(CniApi.PATH_CHECK, attachmentRequest(env.netns(), prev).toJson(),
                ApiError.TRY_AGAIN_LATER));
        return null;
    }

    /**
     * DEL is best effort and idempotent: an unknown attachment (code 3) is success, a vanished netns
     * is sent as "" so the daemon still releases the addresses, a missing or garbled prevResult is
     * ignored. Only an unreachable daemon fails (11) — the runtime retries, and nothing leaks.
     */
    JsonObject del() {
        CniResult prev = PrevResult.read(rawConfig, true);
        String netns = env.netns();
        if (netns != null && !Files.exists(Path.of(netns))) {
            netns = "";
        }
        DaemonAnswer answer = daemon.call(CniApi.PATH_DEL, attachmentRequest(netns, prev).toJson(),
                ApiError.TRY_AGAIN_LATER);
        if (!answer.isOk() && answer.error().code() != ApiError.UNKNOWN_CONTAINER) {
            failUnlessOk(answer);
        }
        return null;
    }

    JsonObject status() {
        StatusRequest request = new StatusRequest(config.cniVersion().text(), config.name(), config.forwarded());
        failUnlessOk(daemon.call(CniApi.PATH_STATUS, request.toJson(),
                ApiError.PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY));
        return null;
    }

    JsonObject gc() {
        if (config.validAttachments() == null) {
            // Without the list, "release everything not listed" would release every pod: refuse.
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "cni.dev/valid-attachments missing",
                    "GC needs the list of still valid attachments in \"cni.dev/valid-attachments\"");
        }
        GcRequest request = new GcRequest(config.cniVersion().text(), config.name(), config.validAttachments(),
                config.forwarded());
        failUnlessOk(daemon.call(CniApi.PATH_GC, request.toJson(), ApiError.TRY_AGAIN_LATER));
        return null;
    }

    private AttachmentRequest attachmentRequest(String netns, CniResult prev) {
        CniArgs args = CniArgs.parse(env.args());
        Map<String, String> identity = new LinkedHashMap<>(args.identity());
        return new AttachmentRequest(config.cniVersion().text(), config.name(), env.containerId(), netns,
                env.ifName(), config.mtu(), requestedMac(args), requestedIps(args), identity,
                config.runtimeConfig(), config.dns(), prev, config.forwarded());
    }

    /** runtimeConfig.mac (capability) wins over args.cni.mac, which wins over CNI_ARGS MAC=. */
    private String requestedMac(CniArgs args) {
        if (config.runtimeMac() != null) {
            return config.runtimeMac();
        }
        return config.argsMac() != null ? config.argsMac() : args.mac();
    }

    /** Same precedence as the MAC: runtimeConfig.ips, then args.cni.ips, then CNI_ARGS IP=. */
    private List<String> requestedIps(CniArgs args) {
        if (!config.runtimeIps().isEmpty()) {
            return config.runtimeIps();
        }
        return !config.argsIps().isEmpty() ? config.argsIps() : args.ips();
    }

    private static void failUnlessOk(DaemonAnswer answer) {
        if (!answer.isOk()) {
            ApiError e = answer.error();
            throw new CniException(e.code(), e.msg().isEmpty() ? "podswitchd reported an error" : e.msg(), e.details());
        }
    }
}
