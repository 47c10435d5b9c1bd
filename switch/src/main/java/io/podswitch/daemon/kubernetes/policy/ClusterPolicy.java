package io.podswitch.daemon.kubernetes.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.kubernetes.watch.Reconciler;
import io.podswitch.daemon.kubernetes.watch.ResourceWatch;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.policy.PolicyManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Namespaces, Pods and NetworkPolicies as the API server holds them, kept in step with the
 * {@link PolicyManager}: each informer event enqueues one key ({@code namespaces/NAME}, {@code pods/NS/NAME},
 * {@code networkpolicies/NS/NAME}); each batch translates those objects from the caches
 * ({@link PolicyTranslator}) and hands the changes to {@link PolicyManager#apply} — one compilation per batch,
 * however many events it coalesced (an initial list of 100,000 pods is one). An object that did not change
 * as the policy engine sees it (a pod's status conditions, a policy's annotations) changes nothing. A
 * malformed object is logged once per reason and left out (a policy left out isolates nothing: see
 * {@link PolicyTranslator} for the rules that keep that from opening traffic); the event that fixes it picks
 * it up. Reconciled on the control thread only.
 */
public final class ClusterPolicy extends Reconciler {
    public static final String NAMESPACES = "namespaces";
    public static final String PODS = "pods";
    public static final String POLICIES = "networkpolicies";

    private final PolicyTranslator translator;
    private final ResourceWatch<Namespace> namespaces;
    private final ResourceWatch<Pod> pods;
    private final ResourceWatch<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies;
    private PolicyManager target;
    /** What the manager holds, by key, as last applied (to drop no-op updates). */
    private final Map<String, Object> applied = new HashMap<>();
    /** Objects left out and why, by key: logged when the reason changes. */
    private final Map<String, Skipped> skipped = new HashMap<>();
    /** Parts of used objects left out, by key: logged when they change. */
    private final Map<String, List<String>> problems = new HashMap<>();
    private volatile Map<String, Skipped> skippedView = Map.of();
    private volatile Counts counts = new Counts(0, 0, 0, 0);

    /** What the policy engine holds from the API, as of the last batch. */
    public record Counts(int namespaces, int pods, int policies, long compilations) {
    }

    public ClusterPolicy(List<io.podswitch.config.cidr.IpFamily> families, String thisNode,
                         ResourceWatch<Namespace> namespaces, ResourceWatch<Pod> pods,
                         ResourceWatch<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies,
                         Executor control) {
        super("policy", control);
        this.translator = new PolicyTranslator(families, thisNode);
        this.namespaces = namespaces;
        this.pods = pods;
        this.policies = policies;
    }

    /** The reconciler's key of an object of {@code resource} ({@link #NAMESPACES}, {@link #PODS}, {@link #POLICIES}). */
    public static String key(String resource, String cacheKey) {
        return resource + "/" + cacheKey;
    }

    /** Control thread: from now on batches go to {@code manager}; everything cached is reconciled (one batch). */
    public void applyTo(PolicyManager manager) {
        this.target = manager;
        namespaces.keys().forEach(k -> enqueue(key(NAMESPACES, k)));
        pods.keys().forEach(k -> enqueue(key(PODS, k)));
        policies.keys().forEach(k -> enqueue(key(POLICIES, k)));
    }

    @Override
    protected boolean ready() {
        return target != null && namespaces.synced() && pods.synced() && policies.synced();
    }

    /** Objects left out and why, by key ({@code pods/NS/NAME} …), as of the last batch. Any thread. */
    public Map<String, Skipped> skipped() {
        return skippedView;
    }

    public Counts counts() {
        return counts;
    }

    @Override
    protected void reconcile(Set<String> keys) {
        long t0 = System.nanoTime();
        List<NamespaceInfo> putNamespaces = new ArrayList<>();
        List<String> removedNamespaces = new ArrayList<>();
        List<PodInfo> putPods = new ArrayList<>();
        List<NamespacedName> removedPods = new ArrayList<>();
        List<NetworkPolicy> putPolicies = new ArrayList<>();
        List<NamespacedName> removedPolicies = new ArrayList<>();
        for (String key : keys) {
            int slash = key.indexOf('/');
            String resource = key.substring(0, slash);
            String cacheKey = key.substring(slash + 1);
            PolicyTranslator.Verdict<?> verdict = switch (resource) {
                case NAMESPACES -> {
                    Namespace ns = namespaces.get(cacheKey);
                    yield ns == null ? null : translator.namespace(ns);
                }
                case PODS -> {
                    Pod pod = pods.get(cacheKey);
                    yield pod == null ? null : translator.pod(pod);
                }
                case POLICIES -> {
                    var policy = policies.get(cacheKey);
                    yield policy == null ? null : translator.policy(policy);
                }
                default -> throw new IllegalStateException("unknown key " + key);
            };
            Object value = null;
            if (verdict instanceof PolicyTranslator.Verdict.Use<?> use) {
                value = use.value();
                logProblems(key, use.problems());
                if (skipped.remove(key) != null) {
                    DaemonLog.info("kubernetes: " + describe(key) + " is used now");
                }
            } else {
                problems.remove(key);
                if (verdict instanceof PolicyTranslator.Verdict.Reject<?> reject) {
                    if (!reject.why().equals(skipped.put(key, reject.why()))) {
                        DaemonLog.info("kubernetes: " + describe(key) + " skipped: " + reject.why().detail());
                    }
                } else {
                    skipped.remove(key); // deleted, or absent by design (finished, no address yet)
                }
            }
            Object before = value == null ? applied.remove(key) : applied.put(key, value);
            if (value == null) {
                if (before == null) {
                    continue;
                }
                switch (resource) {
                    case NAMESPACES -> removedNamespaces.add(((NamespaceInfo) before).name());
                    case PODS -> removedPods.add(((PodInfo) before).id());
                    default -> removedPolicies.add(((NetworkPolicy) before).id());
                }
            } else if (!value.equals(before)) {
                switch (value) {
                    case NamespaceInfo n -> putNamespaces.add(n);
                    case PodInfo p -> putPods.add(p);
                    case NetworkPolicy p -> putPolicies.add(p);
                    default -> throw new IllegalStateException();
                }
            }
        }
        PolicyManager.Changes changes = new PolicyManager.Changes(putNamespaces, removedNamespaces, putPods, removedPods,
                putPolicies, removedPolicies);
        long compilations = counts.compilations();
        if (!changes.isEmpty()) {
            PolicyManager.Compilation c = target.apply(changes);
            compilations++;
            if (keys.size() > 1 || !removedPolicies.isEmpty() || !putPolicies.isEmpty()) {
                DaemonLog.info("kubernetes: policy: " + size(putNamespaces, removedNamespaces) + " namespace(s), "
                        + size(putPods, removedPods) + " pod(s), " + size(putPolicies, removedPolicies)
                        + " policy(ies) changed → generation " + c.generation() + " (" + c.policies() + " policies, "
                        + c.pods() + " pods; compiled in " + c.nanos() / 1_000_000 + " ms, batch "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            }
        }
        int ns = 0;
        int ps = 0;
        int pol = 0;
        for (String k : applied.keySet()) {
            if (k.startsWith(PODS + "/")) {
                ps++;
            } else if (k.startsWith(NAMESPACES + "/")) {
                ns++;
            } else {
                pol++;
            }
        }
        counts = new Counts(ns, ps, pol, compilations);
        skippedView = Collections.unmodifiableMap(new TreeMap<>(skipped));
    }

    private static int size(Collection<?> put, Collection<?> removed) {
        return put.size() + removed.size();
    }

    private void logProblems(String key, List<String> now) {
        List<String> before = now.isEmpty() ? problems.remove(key) : problems.put(key, now);
        if (!now.isEmpty() && !now.equals(before)) {
            DaemonLog.info("kubernetes: " + describe(key) + ": " + String.join("; ", now));
        }
    }

    /** "pod x/a", "networkpolicy x/deny", "namespace x". */
    private static String describe(String key) {
        int slash = key.indexOf('/');
        String resource = key.substring(0, slash);
        String what = switch (resource) {
            case PODS -> "pod";
            case NAMESPACES -> "namespace";
            default -> "networkpolicy";
        };
        return what + " " + key.substring(slash + 1);
    }
}
