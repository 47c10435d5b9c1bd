package io.podswitch.daemon.reload;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.egress.EgressManager;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.policy.PolicyManager;
import io.podswitch.daemon.services.ServiceManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reloads the cluster config without a restart: load + validate the file, then
 * {@link EgressManager#apply}, {@link FileServices#apply} and {@link PeerManager#apply} the difference. An invalid
 * file is logged error by error as
 * {@code file:line:col: field: message} and the running config stays; a change only a restart can make
 * (this node's pod CIDRs or addresses, the families, the overlay) is refused with one clear line.
 * Control thread only (SIGHUP, the file watcher and {@code POST /v1/reload} all post here).
 */
public final class ConfigReloader {
    private static final String UNCHANGED_FROM_API = "unchanged (nodes and services follow the API server)";
    private final Path file;
    private final Map<String, String> env;
    private final PeerManager peers;
    private final ServiceManager services;
    private final EgressManager egress;
    private final PolicyManager policy;
    private ClusterConfig running;
    /**
     * The bytes of the file the running configuration was last loaded from (null until a reload applied one): the
     * same bytes again — the file watch's reload after a {@code POST /v1/reload} of the same write, a touch — are
     * "unchanged" without parsing them (at 10,000 policy rules the parse is most of a reload).
     */
    private byte[] appliedBytes;
    private long parses;
    /** The last reload's steps after the parse, for its log line: comparing with the running config, the policy. */
    private long compareNanos;
    private long policyNanos;

    /**
     * @param peers the running peer manager, or null on a single-node daemon (no uplink was opened)
     * @param services the running service manager
     * @param egress   the running masquerade (nf_tables) manager, or null when none runs (unit tests)
     */
    public ConfigReloader(Path file, Map<String, String> env, ClusterConfig running, PeerManager peers,
                          ServiceManager services, EgressManager egress) {
        this(file, env, running, peers, services, egress, null);
    }

    /** @param policy the running NetworkPolicy manager (fed the file's networkPolicy section), or null */
    public ConfigReloader(Path file, Map<String, String> env, ClusterConfig running, PeerManager peers,
                          ServiceManager services, EgressManager egress, PolicyManager policy) {
        this.file = file;
        this.env = Map.copyOf(env);
        this.running = running;
        this.peers = peers;
        this.services = services;
        this.egress = egress;
        this.policy = policy;
    }

    /** The configuration in force (the last one applied). */
    public ClusterConfig running() {
        return running;
    }

    public Path file() {
        return file;
    }

    /** Starts warming this reload path on a thread of its own ({@link ReloadWarmup}); close it when stopping. */
    public ReloadWarmup warmUp() {
        return ReloadWarmup.start(file, env, running, policy == null ? null : policy.node());
    }

    /**
     * With {@code source: kubernetes} the file holds only what needs a restart (CIDRs, families, overlay, uplinks,
     * the API server's kubeconfig) and the masquerade settings: nodes and services follow the API server. An
     * unchanged file is fine; a masquerade change is applied as with the file source; any other change is refused
     * with what changed.
     */
    private ReloadResult fromKubernetes(String trigger, ClusterConfig next) {
        List<String> changed = new ArrayList<>();
        ClusterConfig asRunning = next.fromKubernetes() ? next.withNodes(running.nodes()) : next;
        if (next.source() != running.source()) {
            changed.add("source (" + running.source().configName() + " → " + next.source().configName() + ")");
        } else if (!next.thisNodeName().equals(running.thisNodeName())) {
            changed.add("this node's name (" + running.thisNodeName() + " → " + next.thisNodeName() + ")");
        } else {
            changed.addAll(restartChanges(running, asRunning));
        }
        if (!changed.isEmpty()) {
            String why = "the new configuration changes " + String.join(", ", changed) + "; with source: kubernetes "
                    + "that needs a restart of podswitchd — keeping the running configuration";
            DaemonLog.info("reload (" + trigger + "): refused: " + why);
            return ReloadResult.refused(why, List.of(why));
        }
        if (asRunning.equals(running)) {
            DaemonLog.info("reload (" + trigger + "): " + file + " unchanged; nodes and services follow the API server");
            return ReloadResult.applied(UNCHANGED_FROM_API);
        }
        String egressSummary = "not managed";
        try {
            if (egress != null) {
                egressSummary = egress.apply(asRunning);
            }
        } catch (RuntimeException e) {
            String why = "masquerade: " + e.getMessage();
            DaemonLog.info("reload (" + trigger + "): refused: " + why);
            return ReloadResult.refused(why, List.of(why));
        }
        running = asRunning;
        String summary = "masquerade " + egressSummary + " (nodes and services follow the API server)";
        DaemonLog.info("reload (" + trigger + "): " + summary);
        return ReloadResult.applied(summary);
    }

    /**
     * What differs between two configurations of the Kubernetes source, outside masquerade (which a reload
     * applies), by the file's own key names: each needs a restart.
     */
    static List<String> restartChanges(ClusterConfig running, ClusterConfig next) {
        List<String> out = new ArrayList<>();
        diff(out, "ipFamilies", running.ipFamilies(), next.ipFamilies());
        diff(out, "podCIDRs", running.podCidrs(), next.podCidrs());
        diff(out, "serviceCIDRs", running.serviceCidrs(), next.serviceCidrs());
        diff(out, "nodeCIDRs", running.nodeCidrs(), next.nodeCidrs());
        if (running.podCidrs().equals(next.podCidrs())) {
            diff(out, "the node pod CIDR sizes", running.nodeCidrMaskSizes(), next.nodeCidrMaskSizes());
        }
        diff(out, "overlay", running.overlay(), next.overlay());
        diff(out, "uplink", running.uplink(), next.uplink());
        if (!running.uplinkOverrides().equals(next.uplinkOverrides())) {
            java.util.TreeSet<String> names = new java.util.TreeSet<>(running.uplinkOverrides().keySet());
            names.addAll(next.uplinkOverrides().keySet());
            names.removeIf(n -> java.util.Objects.equals(running.uplinkOverrides().get(n), next.uplinkOverrides().get(n)));
            out.add("the uplink of node(s) " + String.join(", ", names) + " (nodes:)");
        }
        diff(out, "kubernetes.kubeconfig", running.kubernetes().kubeconfig().orElse("none"),
                next.kubernetes().kubeconfig().orElse("none"));
        if (!running.networkPolicy().equals(next.networkPolicy())) {
            out.add("networkPolicy (with source: kubernetes, NetworkPolicies, Pods and Namespaces come from the API server)");
        }
        if (!running.services().equals(next.services())) {
            out.add("services (with source: kubernetes, Services come from the API server)");
        }
        if (out.isEmpty() && !running.withMasquerade(next.masquerade()).equals(next)) {
            out.add("the cluster settings"); // a field this list does not name yet: say so rather than nothing
        }
        return out;
    }

    private static void diff(List<String> out, String what, Object running, Object next) {
        if (!running.equals(next)) {
            out.add(what + " (" + running + " → " + next + ")");
        }
    }

    public ReloadResult reload(String trigger) {
        long start = System.nanoTime();
        ReloadPauses.Mark pauses = ReloadPauses.mark();
        ClusterConfig next;
        byte[] bytes;
        try {
            bytes = ConfigLoader.read(file);
            if (Arrays.equals(bytes, appliedBytes)) {
                DaemonLog.info("reload (" + trigger + "): " + file + " unchanged (the bytes last applied)");
                return ReloadResult.applied(running.fromKubernetes() ? UNCHANGED_FROM_API : "unchanged");
            }
            parses++;
            next = ConfigLoader.load(file, bytes, env);
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError error : e.errors()) {
                errors.add(error.format());
                DaemonLog.info("reload (" + trigger + "): " + error.format());
            }
            String summary = "invalid configuration " + file + " (" + errors.size() + " error(s)); keeping the running one";
            DaemonLog.info("reload (" + trigger + "): " + summary);
            return ReloadResult.refused(summary, errors);
        }
        long loaded = System.nanoTime();
        compareNanos = 0;
        policyNanos = 0;
        ReloadResult result = running.fromKubernetes() || next.fromKubernetes() ? fromKubernetes(trigger, next)
                : fromFile(trigger, next);
        if (result.applied()) {
            appliedBytes = bytes;
        }
        DaemonLog.info("reload (" + trigger + "): took " + millis(System.nanoTime() - start) + " ms (file read and "
                + "parsed in " + millis(loaded - start) + " ms, compared in " + millis(compareNanos)
                + " ms, network policy applied in " + millis(policyNanos) + " ms; " + pauses.since() + ")");
        return result;
    }

    /** How many times a reload parsed the file (the tests' view of the unchanged-bytes shortcut). */
    long parses() {
        return parses;
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private ReloadResult fromFile(String trigger, ClusterConfig next) {
        long compareStart = System.nanoTime();
        boolean unchanged = next.equals(running);
        compareNanos = System.nanoTime() - compareStart;
        if (unchanged) {
            DaemonLog.info("reload (" + trigger + "): " + file + " unchanged");
            return ReloadResult.applied("unchanged");
        }
        if (peers == null && next.nodes().size() > 1) {
            String why = "this daemon started as a single node (no uplink opened); restart podswitchd to join "
                    + "the " + next.nodes().size() + " nodes of " + file;
            DaemonLog.info("reload (" + trigger + "): refused: " + why);
            return ReloadResult.refused(why, List.of(why));
        }
        // The masquerade table first: it changes in one kernel transaction or not at all, so a refusal here
        // leaves everything as it was. Then services (FileServices.apply changes nothing when it refuses);
        // a later refusal puts what was applied before it back.
        String egressSummary = "not managed";
        try {
            if (egress != null) {
                egressSummary = egress.apply(next);
            }
        } catch (RuntimeException e) {
            String why = "masquerade: " + e.getMessage();
            DaemonLog.info("reload (" + trigger + "): refused: " + why);
            return ReloadResult.refused(why, List.of(why));
        }
        ServiceManager.Change serviceChange;
        try {
            serviceChange = FileServices.apply(services, next);
        } catch (IllegalArgumentException e) {
            restoreEgress();
            DaemonLog.info("reload (" + trigger + "): refused: " + e.getMessage());
            return ReloadResult.refused(e.getMessage(), List.of(e.getMessage()));
        }
        String peerSummary = "no peers";
        if (peers != null) {
            try {
                peerSummary = peers.apply(next);
            } catch (IllegalArgumentException e) {
                FileServices.apply(services, running);
                restoreEgress();
                DaemonLog.info("reload (" + trigger + "): refused: " + e.getMessage());
                return ReloadResult.refused(e.getMessage(), List.of(e.getMessage()));
            }
        }
        String policySummary = "";
        long policyStart = System.nanoTime();
        if (policy != null && !next.networkPolicy().equals(running.networkPolicy())) {
            // Cannot fail: the section was validated with the file. Last, so a refusal above leaves it as it was.
            PolicyManager.Compilation c = policy.applyFile(next.networkPolicy());
            policyNanos = System.nanoTime() - policyStart;
            policySummary = "; network policy " + c.policies() + " policies, generation " + c.generation();
        }
        running = next;
        String summary = "peers " + peerSummary + "; services +" + serviceChange.added() + " ~"
                + serviceChange.updated() + " -" + serviceChange.removed() + " key(s); masquerade " + egressSummary
                + policySummary;
        DaemonLog.info("reload (" + trigger + "): " + summary);
        return ReloadResult.applied(summary);
    }

    /** After a later refusal: the masquerade table of the running config again (a no-op when it did not change). */
    private void restoreEgress() {
        if (egress != null) {
            egress.apply(running);
        }
    }
}
