package io.podswitch.daemon.kubernetes.services;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.kubernetes.watch.Reconciler;
import io.podswitch.daemon.kubernetes.watch.ResourceWatch;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Services and their EndpointSlices, kept in step with the service table: a change of a Service or of any of
 * its slices enqueues the service's key ({@code namespace/name}); each batch re-translates those services
 * from the caches ({@link ServiceTranslator}) and applies each one that changed on its own — a service's
 * table keys only, every other service untouched. A service that cannot be used is logged once per reason;
 * a service the table refuses keeps what it had. Reconciled on the control thread only.
 */
public final class ClusterServices extends Reconciler {
    /**
     * Set by the EndpointSlice controller on every slice it changes: when the change that caused it happened
     * (a pod became ready, was deleted …). Now − that time, once the service is programmed, is Kubernetes'
     * network programming latency (SIG Scalability's SLI; kube-proxy's {@code network_programming_duration_seconds}).
     */
    public static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    /** The EndpointSlice indexer: slices by the {@code namespace/name} of their Service. */
    public static final String BY_SERVICE = "service";

    private final ServiceTranslator translator;
    private final ResourceWatch<Service> services;
    private final ResourceWatch<EndpointSlice> slices;
    private ServiceTarget target;
    /** What the table holds, by key: each entry as last applied. */
    private final Map<String, DesiredService> applied = new HashMap<>();
    /** Services not served and why (rejections and refusals), by key: logged when the reason changes. */
    private final Map<String, Skipped> unusable = new HashMap<>();
    /** The last problems logged per service (parts of its slices left out). */
    private final Map<String, List<String>> problems = new HashMap<>();
    /** Services not proxied by design (headless, ExternalName, another proxy's), by key. */
    private final Set<String> ignored = new HashSet<>();
    private volatile Counts counts = new Counts(0, 0, Map.of());
    /** Per service key: each slice's last {@link #TRIGGER_TIME} seen (slice name → time). */
    private final Map<String, Map<String, Instant>> triggers = new HashMap<>();
    private final ProgrammingLatency latency;

    /** What {@code podswitch status} shows of the services: served, not proxied by design, not servable (why). */
    public record Counts(int served, int ignored, Map<String, Skipped> unservable) {
    }

    /** @param latency where programming latencies are recorded (changes triggered after it was made) */
    public ClusterServices(ClusterConfig cluster, ResourceWatch<Service> services, ResourceWatch<EndpointSlice> slices,
                           Executor control, ProgrammingLatency latency) {
        super("services", control);
        this.translator = new ServiceTranslator(cluster);
        this.services = services;
        this.slices = slices;
        this.latency = latency;
    }

    /** The key of the service a slice belongs to (none without the {@code kubernetes.io/service-name} label). */
    public static List<String> serviceKeyOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(ServiceTranslator.SERVICE_NAME);
        if (service == null || service.isEmpty()) {
            return List.of();
        }
        return List.of(Objects.requireNonNullElse(slice.getMetadata().getNamespace(), "") + "/" + service);
    }

    /** Control thread: from now on batches go to {@code target}; everything cached is reconciled. */
    public void applyTo(ServiceTarget target) {
        this.target = target;
        services.keys().forEach(this::enqueue);
    }

    @Override
    protected boolean ready() {
        return target != null && services.synced() && slices.synced();
    }

    /** As of the last batch. Any thread. */
    public Counts counts() {
        return counts;
    }

    @Override
    protected void reconcile(Set<String> keys) {
        long t0 = System.nanoTime();
        int changed = 0;
        int removed = 0;
        for (String key : keys) {
            Service service = services.get(key);
            List<EndpointSlice> itsSlices = slices.byIndex(BY_SERVICE, key);
            ServiceVerdict verdict = service == null ? null : translator.translate(service, itsSlices);
            if (!(verdict instanceof ServiceVerdict.Ignore)) {
                ignored.remove(key);
            }
            switch (verdict) {
                case null -> {
                    removed += drop(key);
                    unusable.remove(key);
                }
                case ServiceVerdict.Ignore i -> {
                    removed += drop(key);
                    unusable.remove(key);
                    ignored.add(key);
                }
                case ServiceVerdict.Reject r -> {
                    removed += drop(key);
                    unusable(key, r.why());
                }
                case ServiceVerdict.Serve s -> {
                    logProblems(key, s.problems());
                    if (s.service().equals(applied.get(key))) {
                        unusable.remove(key);
                        programmed(key, itsSlices);
                        continue;
                    }
                    try {
                        target.apply(s.service());
                        applied.put(key, s.service());
                        programmed(key, itsSlices);
                        if (unusable.remove(key) != null) {
                            DaemonLog.info("kubernetes: service " + key + " is served now");
                        }
                        changed++;
                    } catch (IllegalArgumentException e) {
                        unusable(key, new Skipped("refused", e.getMessage()
                                + (applied.containsKey(key) ? " (keeping its previous state)" : "")));
                    }
                }
            }
        }
        counts = new Counts(applied.size(), ignored.size(), Collections.unmodifiableMap(new TreeMap<>(unusable)));
        if (changed + removed > 0 && (keys.size() > 1 || removed > 0)) {
            DaemonLog.info("kubernetes: services: " + changed + " applied, " + removed + " removed (" + applied.size()
                    + " served, " + unusable.size() + " not servable) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /**
     * The service's slices are in the data path now: every slice whose trigger time moved since it was last seen
     * records now − trigger time (at most once per slice change).
     */
    private void programmed(String key, List<EndpointSlice> itsSlices) {
        Map<String, Instant> seen = triggers.computeIfAbsent(key, k -> new HashMap<>());
        Map<String, Instant> now = new HashMap<>();
        Instant done = Instant.now();
        for (EndpointSlice slice : itsSlices) {
            Map<String, String> annotations = slice.getMetadata().getAnnotations();
            Instant trigger = annotations == null ? null : ProgrammingLatency.parse(annotations.get(TRIGGER_TIME));
            if (trigger == null) {
                continue;
            }
            String name = slice.getMetadata().getName();
            now.put(name, trigger);
            if (!trigger.equals(seen.get(name))) {
                latency.record(trigger, done);
            }
        }
        triggers.put(key, now);
    }

    /** Takes a service out of the table if it is there; 1 when it was. */
    private int drop(String key) {
        problems.remove(key);
        triggers.remove(key);
        DesiredService was = applied.remove(key);
        if (was == null) {
            return 0;
        }
        target.remove(was.id());
        return 1;
    }

    private void unusable(String key, Skipped why) {
        if (!why.equals(unusable.put(key, why))) {
            DaemonLog.info("kubernetes: service " + key + " skipped: " + why.detail());
        }
    }

    private void logProblems(String key, List<String> now) {
        List<String> before = problems.put(key, now);
        if (!now.isEmpty() && !now.equals(before)) {
            DaemonLog.info("kubernetes: service " + key + ": " + String.join("; ", now));
        }
    }

}
