package io.podswitch.daemon.kubernetes.nodes;

import io.fabric8.kubernetes.api.model.Node;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.kubernetes.watch.Reconciler;
import io.podswitch.daemon.kubernetes.watch.ResourceWatch;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.peers.PeerManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * The cluster's nodes as the API server reports them, kept in step with the {@link PeerManager}: each batch
 * of changed Node objects is translated ({@link NodeTranslator}), checked against the other nodes (a pod CIDR
 * overlapping another node's, an InternalIP another node has), and the resulting node list is applied as one
 * diff — peers added, changed or removed, every other peer untouched. A node that cannot be used is logged
 * once per reason and skipped; it is picked up by the event that fixes it (or, for a conflict, when the node
 * it conflicted with goes away).
 *
 * <p>This node is the daemon's identity: its pod CIDRs (IPAM), addresses and uplink were fixed at start-up.
 * If its Node object later says otherwise, that is logged (a restart follows it) and the rest of the
 * cluster goes on being applied. Reconciled on the control thread only.
 */
public final class ClusterNodes extends Reconciler {
    private final ClusterConfig cluster;
    private final NodeTranslator translator;
    private final NodeConfig self;
    private ResourceWatch<Node> watch;
    private PeerManager peers;
    /** Other nodes that are installed (or about to be), by name. */
    private final Map<String, NodeConfig> accepted = new HashMap<>();
    /** Nodes skipped, with the reason last logged. */
    private final Map<String, Skipped> rejected = new HashMap<>();
    /** Rejected for a conflict with another node: retried when an accepted node goes away. */
    private final Set<String> conflicted = new HashSet<>();
    private final PrefixOwners podCidrOwners = new PrefixOwners();
    private final Map<IpAddress, String> addressOwners = new HashMap<>();
    private String selfDrift = "";
    /** {@link #rejected} as of the last batch, for other threads (status). */
    private volatile Map<String, Skipped> skippedView = Map.of();
    private volatile int peersView;

    /**
     * @param cluster the cluster file
     * @param self    this node as the daemon was started with (from its Node object)
     * @param control posts to the control thread
     */
    public ClusterNodes(ClusterConfig cluster, NodeConfig self, Executor control) {
        super("nodes", control);
        this.cluster = cluster;
        this.translator = new NodeTranslator(cluster);
        this.self = self;
        own(self);
    }

    /** The informer whose cache is read (set once, before it starts delivering). */
    public void watching(ResourceWatch<Node> nodes) {
        this.watch = nodes;
    }

    /**
     * Control thread: from now on batches are applied to {@code manager} (until then they are only queued),
     * and every node the cache holds is reconciled.
     */
    public void applyTo(PeerManager manager) {
        this.peers = manager;
        for (String key : watch.keys()) {
            enqueue(key);
        }
    }

    @Override
    protected boolean ready() {
        return watch != null && watch.synced() && peers != null;
    }

    /** Other nodes routed to, as of the last batch. Any thread. */
    public int peers() {
        return peersView;
    }

    /** Nodes skipped and why, by name, as of the last batch. Any thread. */
    public Map<String, Skipped> skipped() {
        return skippedView;
    }

    @Override
    protected void reconcile(Set<String> keys) {
        long t0 = System.nanoTime();
        int before = accepted.size();
        boolean changed = false;
        boolean released = false;
        for (String name : new TreeSet<>(keys)) {
            Node node = watch.get(name);
            if (name.equals(self.name())) {
                checkSelf(node);
                continue;
            }
            NodeConfig previous = accepted.remove(name);
            if (previous != null) {
                disown(previous);
                released = true;
            }
            Skipped previousReason = rejected.remove(name);
            conflicted.remove(name);
            if (node == null) {
                changed |= previous != null;
                continue;
            }
            NodeVerdict verdict = conflictChecked(translator.translate(node));
            switch (verdict) {
                case NodeVerdict.Accepted a -> {
                    accepted.put(name, a.node());
                    own(a.node());
                    changed |= !a.node().equals(previous);
                    if (previousReason != null) {
                        DaemonLog.info("kubernetes: node " + name + " is usable now");
                    }
                }
                case NodeVerdict.Rejected r -> {
                    rejected.put(name, r.why());
                    changed |= previous != null;
                    if (!r.why().equals(previousReason)) {
                        DaemonLog.info("kubernetes: node " + name + " skipped: " + r.reason());
                    }
                }
            }
        }
        if (released) {
            conflicted.forEach(this::enqueue); // a node they conflicted with may be gone: try them again
        }
        if (changed) {
            String summary = peers.apply(cluster.withNodes(nodes()));
            DaemonLog.info("kubernetes: nodes: peers " + summary + " (" + accepted.size() + " node(s) besides this one, "
                    + rejected.size() + " skipped; was " + before + ") in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        skippedView = Collections.unmodifiableMap(new TreeMap<>(rejected)); // after the tables: status never runs ahead
        peersView = accepted.size();
    }

    /** A node's pod CIDRs and addresses must not be another node's (the first one keeps them). */
    private NodeVerdict conflictChecked(NodeVerdict verdict) {
        if (!(verdict instanceof NodeVerdict.Accepted a)) {
            return verdict;
        }
        NodeConfig node = a.node();
        for (Cidr cidr : node.podCidrs()) {
            String owner = podCidrOwners.overlapping(cidr);
            if (owner != null) {
                conflicted.add(node.name());
                return new NodeVerdict.Rejected(node.name(), "pod_cidr_conflict",
                        "pod CIDR " + cidr + " overlaps node " + owner + "'s");
            }
        }
        for (IpAddress address : node.addresses()) {
            String owner = addressOwners.get(address);
            if (owner != null) {
                conflicted.add(node.name());
                return new NodeVerdict.Rejected(node.name(), "internal_ip_conflict",
                        "InternalIP " + address + " is node " + owner + "'s too");
            }
        }
        return verdict;
    }

    private void own(NodeConfig node) {
        node.podCidrs().forEach(c -> podCidrOwners.add(c, node.name()));
        node.addresses().forEach(a -> addressOwners.put(a, node.name()));
    }

    private void disown(NodeConfig node) {
        node.podCidrs().forEach(podCidrOwners::remove);
        node.addresses().forEach(addressOwners::remove);
    }

    /** This node first, then the others by name: the node list the peer manager diffs against. */
    private List<NodeConfig> nodes() {
        List<NodeConfig> out = new ArrayList<>(accepted.size() + 1);
        out.add(self);
        out.addAll(new TreeMap<>(accepted).values());
        return out;
    }

    /** This node's object changed: the daemon keeps its identity; a difference is logged once. */
    private void checkSelf(Node node) {
        String drift;
        if (node == null) {
            drift = "this node's Node object was deleted; keeping its pod CIDRs and addresses until podswitchd restarts";
        } else {
            drift = switch (translator.translate(node)) {
                case NodeVerdict.Accepted a -> a.node().addresses().equals(self.addresses()) && a.node().podCidrs()
                        .equals(self.podCidrs()) ? "" : "this node's Node object now says addresses " + a.node().addresses()
                        + ", pod CIDRs " + a.node().podCidrs() + " (running with " + self.addresses() + ", "
                        + self.podCidrs() + "); restart podswitchd to follow";
                case NodeVerdict.Rejected r -> "this node's Node object is no longer usable (" + r.reason()
                        + "); keeping the running configuration";
            };
        }
        if (!drift.equals(selfDrift) && !drift.isEmpty()) {
            DaemonLog.info("kubernetes: " + drift);
        }
        selfDrift = drift;
    }
}
