package io.podswitch.daemon.api;

import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.ObjectBuilder;
import io.podswitch.daemon.kubernetes.KubernetesSource;
import io.podswitch.daemon.kubernetes.KubernetesStatus;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
     * watches: [...], reconcilers: [...], skippedNodes: {name: reason}, services: {served, ignored, unservable}}}}
     */
    public JsonValue statusJson() {
        ObjectBuilder out = new ObjectBuilder().put("node", node)
                .put("source", kubernetes == null ? "file" : "kubernetes").put("config", configFile);
        if (kubernetes != null) {
            out.put("kubernetes", kubernetesJson(kubernetes.status()));
        }
        return out.build();
    }

    static JsonValue kubernetesJson(KubernetesStatus s) {
        List<JsonValue> watches = new ArrayList<>();
        for (WatchHealth w : s.watches()) {
            watches.add(new ObjectBuilder().put("resource", w.resource()).put("synced", w.synced())
                    .put("watching", w.watching()).put("items", w.items()).put("resourceVersion", w.resourceVersion())
                    .put("lists", w.lists()).put("failures", w.failures()).put("staleMillis", w.staleMillis())
                    .put("lastError", w.lastError()).build());
        }
        List<JsonValue> reconcilers = new ArrayList<>();
        for (KubernetesStatus.ReconcilerView r : s.reconcilers()) {
            reconcilers.add(new ObjectBuilder().put("name", r.name()).put("pending", r.pending()).put("batches", r.batches())
                    .put("keys", r.keys()).build());
        }
        return new ObjectBuilder().put("server", s.server()).put("connected", s.connected()).put("synced", s.synced())
                .put("staleMillis", s.staleMillis()).put("watches", new JsonArray(watches))
                .put("reconcilers", new JsonArray(reconcilers)).put("peers", s.peers())
                .put("skippedNodes", reasons(s.skippedNodes()))
                .put("services", new ObjectBuilder().put("served", s.services().served())
                        .put("ignored", s.services().ignored()).put("unservable", reasons(s.services().unservable())).build())
                .put("programmingLatency", new ObjectBuilder().put("count", s.programming().count())
                        .put("p50Micros", micros(s.programming().p50Millis())).put("p90Micros", micros(s.programming().p90Millis()))
                        .put("p99Micros", micros(s.programming().p99Millis())).put("maxMicros", micros(s.programming().maxMillis()))
                        .build())
                .build();
    }

    private static long micros(double millis) {
        return Math.round(millis * 1000);
    }

    private static JsonValue reasons(Map<String, Skipped> reasons) {
        ObjectBuilder b = new ObjectBuilder();
        reasons.forEach((name, why) -> b.put(name, why.detail()));
        return b.build();
    }
}
