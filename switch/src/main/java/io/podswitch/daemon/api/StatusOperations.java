package io.podswitch.daemon.api;

import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.kubernetes.KubernetesSource;
import io.podswitch.daemon.kubernetes.KubernetesStatus;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/status}: where this daemon's view of the cluster comes from and, with the Kubernetes source,
 * how current it is — connected, synced, how stale, each informer, what was skipped and why. Reads only
 * state published for other threads: cheap, never waits for the control thread.
 */
public final class StatusOperations {
    private final String node;
    private final String configFile;
    private final KubernetesSource kubernetes;

    /** @param kubernetes null with {@code source: file} */
    public StatusOperations(String node, String configFile, KubernetesSource kubernetes) {
        this.node = node;
        this.configFile = configFile;
        this.kubernetes = kubernetes;
    }

    /**
     * {@code {"node", "source": "file"|"kubernetes", "config", "kubernetes": {server, connected, synced, staleMillis,
     * watches: [...], reconcilers: [...], skippedNodes: {name: reason}, services: {served, ignored, unservable}, policy: {namespaces, pods,
     * networkPolicies, compilations, skipped: {pods/NS/NAME: reason}}}}}
     */
    public JsonNode statusJson() {
        ObjectNode out = JsonCodec.object().put("node", node)
                .put("source", kubernetes == null ? "file" : "kubernetes").put("config", configFile);
        if (kubernetes != null) {
            out.set("kubernetes", kubernetesJson(kubernetes.status()));
        }
        return out;
    }

    static JsonNode kubernetesJson(KubernetesStatus s) {
        List<JsonNode> watches = new ArrayList<>();
        for (WatchHealth w : s.watches()) {
            watches.add(JsonCodec.object().put("resource", w.resource()).put("synced", w.synced())
                    .put("watching", w.watching()).put("items", w.items()).put("resourceVersion", w.resourceVersion())
                    .put("lists", w.lists()).put("failures", w.failures()).put("restarts", w.restarts()).put("staleMillis", w.staleMillis())
                    .put("lastError", w.lastError()));
        }
        List<JsonNode> reconcilers = new ArrayList<>();
        for (KubernetesStatus.ReconcilerView r : s.reconcilers()) {
            reconcilers.add(JsonCodec.object().put("name", r.name()).put("pending", r.pending()).put("batches", r.batches())
                    .put("keys", r.keys()));
        }
        return JsonCodec.object().put("server", s.server()).put("connected", s.connected()).put("synced", s.synced())
                .put("staleMillis", s.staleMillis()).set("watches", JsonCodec.array(watches))
                .set("reconcilers", JsonCodec.array(reconcilers)).put("peers", s.peers())
                .set("skippedNodes", reasons(s.skippedNodes()))
                .set("services", JsonCodec.object().put("served", s.services().served())
                        .put("ignored", s.services().ignored()).set("unservable", reasons(s.services().unservable())))
                .set("policy", JsonCodec.object().put("namespaces", s.policy().namespaces()).put("pods", s.policy().pods())
                        .put("networkPolicies", s.policy().policies()).put("compilations", s.policy().compilations())
                        .set("skipped", reasons(s.skippedPolicyInputs())))
                .set("programmingLatency", JsonCodec.object().put("count", s.programming().count())
                        .put("p50Micros", micros(s.programming().p50Millis())).put("p90Micros", micros(s.programming().p90Millis()))
                        .put("p99Micros", micros(s.programming().p99Millis())).put("maxMicros", micros(s.programming().maxMillis())));
    }

    private static long micros(double millis) {
        return Math.round(millis * 1000);
    }

    private static JsonNode reasons(Map<String, Skipped> reasons) {
        ObjectNode b = JsonCodec.object();
        reasons.forEach((name, why) -> b.put(name, why.detail()));
        return b;
    }
}
