package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.PolicyTables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * NetworkPolicy on this node (docs/network-policy.md): holds what the sources say — namespaces, pods and
 * policies from the cluster file or the API server — and the pods wired here (the CNI told their addresses
 * and, through {@code K8S_POD_NAMESPACE}/{@code K8S_POD_NAME}, who they are), compiles them into the tables
 * the workers classify with and publishes the result (one volatile swap). Every change recompiles and
 * publishes before the call returns: a pod wired by a CNI ADD is isolated before its containers start, and a
 * change of policy is in force when {@code podswitch reload} (or the watch event) is done.
 *
 * <p>Control thread only.
 */
public final class PolicyManager {
    private final PolicyTables tables;
    private final PolicyCompiler.Node node;
    private final PolicyIds ids;
    private final Map<String, NamespaceInfo> namespaces = new TreeMap<>();
    private final Map<NamespacedName, PodInfo> pods = new TreeMap<>();
    private final Map<NamespacedName, NetworkPolicy> policies = new TreeMap<>();
    /** Pods wired on this node: attachment key → who the CNI said it is and the addresses it got. */
    private final Map<String, LocalPod> local = new LinkedHashMap<>();
    /** The selector matching kept from one compilation to the next while policies and namespaces stay. */
    private final PolicyCompiler.Cache cache = new PolicyCompiler.Cache();
    private long generation;
    private CompiledPolicy current;
    private Map<IpAddress, PodInfo> podsByAddress = Map.of();
    private Compilation last = new Compilation(0, 0, 0, 0, 0, 0, 0);

    /** A pod attachment on this node: the pod it belongs to (null when the runtime did not say) and its addresses. */
    public record LocalPod(NamespacedName pod, List<IpAddress> addresses) {
        public LocalPod {
            addresses = List.copyOf(addresses);
        }
    }

    /** What the last compilation produced and cost. */
    public record Compilation(long generation, long nanos, int policies, int pods, int classes, int tables, int portSets) {
    }

    public PolicyManager(PolicyTables tables, PolicyCompiler.Node node) {
        this.tables = tables;
        this.node = node;
        this.ids = new PolicyIds(tables.policyCapacity());
        this.current = tables.current();
        this.generation = current.generation();
    }

    // ---------------------------------------------------------------- sources

    /** {@code source: file}: the cluster file's section replaces what the file said before. */
    public Compilation applyFile(NetworkPolicyConfig section) {
        return replaceAll(section.namespaces(), section.pods(), section.policies());
    }

    /** Replaces every namespace, pod and policy (the file, or a relist of the API). */
    public Compilation replaceAll(Collection<NamespaceInfo> ns, Collection<PodInfo> ps, Collection<NetworkPolicy> pols) {
        namespaces.clear();
        for (NamespaceInfo n : ns) {
            namespaces.put(n.name(), n);
        }
        pods.clear();
        for (PodInfo p : ps) {
            pods.put(p.id(), p);
        }
        policies.clear();
        for (NetworkPolicy p : pols) {
            policies.put(p.id(), p);
        }
        return publish();
    }

    /** A batch of changes from the API (one reconcile), applied with one compilation. */
    public record Changes(List<NamespaceInfo> putNamespaces, List<String> removedNamespaces, List<PodInfo> putPods,
                          List<NamespacedName> removedPods, List<NetworkPolicy> putPolicies,
                          List<NamespacedName> removedPolicies) {
        public Changes {
            putNamespaces = List.copyOf(putNamespaces);
            removedNamespaces = List.copyOf(removedNamespaces);
            putPods = List.copyOf(putPods);
            removedPods = List.copyOf(removedPods);
            putPolicies = List.copyOf(putPolicies);
            removedPolicies = List.copyOf(removedPolicies);
        }

        public boolean isEmpty() {
            return putNamespaces.isEmpty() && removedNamespaces.isEmpty() && putPods.isEmpty() && removedPods.isEmpty()
                    && putPolicies.isEmpty() && removedPolicies.isEmpty();
        }
    }

    /** Applies a batch (puts replace by name, removes of unknown names are no-ops) and compiles once. */
    public Compilation apply(Changes changes) {
        if (changes.isEmpty()) {
            return last;
        }
        changes.removedNamespaces().forEach(namespaces::remove);
        changes.putNamespaces().forEach(n -> namespaces.put(n.name(), n));
        changes.removedPods().forEach(pods::remove);
        changes.putPods().forEach(p -> pods.put(p.id(), p));
        changes.removedPolicies().forEach(policies::remove);
        changes.putPolicies().forEach(p -> policies.put(p.id(), p));
        return publish();
    }

    // ---------------------------------------------------------------- pods wired on this node

    /** A CNI ADD (or a restart's re-attach) wired a pod here. */
    public Compilation attached(String attachmentKey, LocalPod pod) {
        local.put(attachmentKey, pod);
        return publish();
    }

    /** A CNI DEL (or GC) unwired it. */
    public Compilation detached(String attachmentKey) {
        return local.remove(attachmentKey) == null ? last : publish();
    }

    // ---------------------------------------------------------------- compile and publish

    private Compilation publish() {
        long start = System.nanoTime();
        List<PodInfo> effective = effectivePods();
        if (ids.retain(policies.keySet(), id -> tables.counters().reset(id))) {
            DaemonLog.info("policy: " + policies.size() + " policies exceed the " + (tables.policyCapacity() - 1)
                    + " counter slots; the extra ones share one (enforced all the same)");
        }
        CompiledPolicy next = PolicyCompiler.compile(++generation, List.copyOf(namespaces.values()), effective,
                List.copyOf(policies.values()), node, ids.asMap(), cache);
        tables.publish(next);
        current = next;
        Map<IpAddress, PodInfo> byAddress = new java.util.HashMap<>();
        for (PodInfo p : effective) {
            if (!p.hostNetwork()) {
                for (IpAddress a : p.ips()) {
                    byAddress.putIfAbsent(a, p);
                }
            }
        }
        podsByAddress = byAddress;
        last = new Compilation(next.generation(), System.nanoTime() - start, policies.size(), effective.size(),
                next.classes(), next.tables(), next.portSets().size());
        return last;
    }

    /**
     * The source's pods with the addresses of the pods wired here: the CNI's addresses are the truth for a local
     * pod (the API learns them only after the ADD; the file may not list them), and a wired pod the source does
     * not know yet is still a pod of its namespace (no labels): policies selecting all pods there apply to it.
     */
    List<PodInfo> effectivePods() {
        Map<NamespacedName, PodInfo> out = new TreeMap<>(pods);
        for (LocalPod l : local.values()) {
            if (l.pod() == null) {
                continue;
            }
            PodInfo known = out.get(l.pod());
            if (known == null) {
                out.put(l.pod(), new PodInfo(l.pod(), Map.of(), l.addresses(), "", false, List.of()));
            } else {
                LinkedHashSet<IpAddress> ips = new LinkedHashSet<>(known.ips());
                ips.addAll(l.addresses());
                if (ips.size() != known.ips().size()) {
                    out.put(l.pod(), new PodInfo(known.id(), known.labels(), new ArrayList<>(ips), known.nodeName(),
                            known.hostNetwork(), known.ports()));
                }
            }
        }
        return List.copyOf(out.values());
    }

    // ---------------------------------------------------------------- views

    public CompiledPolicy current() {
        return current;
    }

    /** The pod holding an address (as the tables have it), or null. */
    public PodInfo podAt(IpAddress address) {
        return podsByAddress.get(address);
    }

    /** The policies isolating a pod in one direction, by name. */
    public List<NetworkPolicy> isolating(PodInfo pod, boolean ingress) {
        List<NetworkPolicy> out = new ArrayList<>();
        for (NetworkPolicy p : policies.values()) {
            if ((ingress ? p.ingress() : p.egress()) && p.selects(pod)) {
                out.add(p);
            }
        }
        return out;
    }

    public Compilation lastCompilation() {
        return last;
    }

    public List<NamespaceInfo> namespaces() {
        return List.copyOf(namespaces.values());
    }

    public List<NetworkPolicy> policies() {
        return List.copyOf(policies.values());
    }

    /** The reference model of the current state (what {@code podswitch policy} explains with). */
    public PolicyModel model() {
        return new PolicyModel(namespaces(), effectivePods(), policies());
    }

    public Map<NamespacedName, Integer> policyIds() {
        return Map.copyOf(ids.asMap());
    }

    public PolicyTables tables() {
        return tables;
    }

    public PolicyCompiler.Node node() {
        return node;
    }
}
