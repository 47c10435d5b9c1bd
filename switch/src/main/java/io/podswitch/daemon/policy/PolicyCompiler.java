package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import io.podswitch.policy.AddressClassifier;
import io.podswitch.policy.AddressInfo;
import io.podswitch.policy.CompiledPolicy;
import io.podswitch.policy.PortSets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Policies × pods × namespaces → this node's {@link CompiledPolicy} (docs/network-policy.md, "Compiling").
 * Control thread; the result agrees with {@link PolicyModel} for every packet (tested). The steps:
 * <ol>
 *   <li>number every rule of every policy (by direction) and every peer of every rule;</li>
 *   <li>match pod peers against pod <i>identities</i> (namespace + labels: pods alike are matched once);</li>
 *   <li>collect the prefixes that matter — pod addresses, ipBlock CIDRs and excepts, this node's addresses —
 *       and give each the <i>signature</i> of the addresses it alone covers: the peers they match and, for
 *       egress named ports, the port numbers their pod declares; equal signatures share a peer class;</li>
 *   <li>give every local pod an ingress and an egress table (the rules of the policies isolating it; pods
 *       alike share tables) and fill each table's row of port sets, one per class, from the rules that
 *       class's peers appear in.</li>
 * </ol>
 * Cost: linear in prefixes × distinct prefix lengths plus classes × tables (with caching of equal cells),
 * never pods × rules.
 */
public final class PolicyCompiler {

    /**
     * What the compiler needs to know about this node.
     *
     * @param podCidrs      this node's pod CIDRs: a pod with an address inside is a local pod
     * @param nodeAddresses this node's own addresses (its host port's, its uplink's) and the switch's hairpin SNAT
     *                      sources: traffic between them and local pods is always allowed
     */
    public record Node(List<Cidr> podCidrs, List<IpAddress> nodeAddresses) {
        public Node {
            podCidrs = List.copyOf(podCidrs);
            nodeAddresses = List.copyOf(nodeAddresses);
        }
    }

    private static final int[] NONE = new int[0];

    private PolicyCompiler() {
    }

    /**
     * @param policyIds every policy's stable id (counters, deny attribution); ids of {@code policies} must be there
     */
    public static CompiledPolicy compile(long generation, List<NamespaceInfo> namespaces, List<PodInfo> pods,
                                         List<NetworkPolicy> policies, Node node, Map<NamespacedName, Integer> policyIds) {
        return compile(generation, namespaces, pods, policies, node, policyIds, new Cache());
    }

    /**
     * As {@link #compile(long, List, List, List, Node, Map)}, keeping in {@code cache} what holds as long as the
     * policies, the namespaces and the policy ids stay the same: which pod peers match each pod identity
     * (namespace + labels) — the selector matching, the costly part. A pod added, removed or relabelled then
     * matches only its own identity, if it is new; a change of a policy or a namespace starts the cache afresh.
     */
    public static CompiledPolicy compile(long generation, List<NamespaceInfo> namespaces, List<PodInfo> pods,
                                         List<NetworkPolicy> policies, Node node, Map<NamespacedName, Integer> policyIds,
                                         Cache cache) {
        return new Run(namespaces, pods, policies, node, policyIds, cache).compile(generation);
    }

    /**
     * What one compilation leaves for the next (see {@link #compile(long, List, List, List, Node, Map, Cache)}).
     * Control thread only; the compiler checks itself whether the cache still holds.
     */
    public static final class Cache {
        private List<NamespaceInfo> namespaces;
        private List<NetworkPolicy> policies;
        private Map<NamespacedName, Integer> policyIds;
        private final Map<List<Object>, int[]> identityPeers = new HashMap<>();
        private long reused;

        /** Keeps the cache if it was built for these inputs, else empties it for them. */
        void validate(List<NamespaceInfo> ns, List<NetworkPolicy> sortedPolicies, Map<NamespacedName, Integer> ids,
                      int pods) {
            if (!sortedPolicies.equals(policies) || !ns.equals(namespaces) || !ids.equals(policyIds)
                    || identityPeers.size() > 2 * pods + 1024) { // identities of pods gone pile up: start afresh
                identityPeers.clear();
                namespaces = List.copyOf(ns);
                policies = List.copyOf(sortedPolicies);
                policyIds = Map.copyOf(ids);
            }
        }

        /** Identities whose matching was reused from an earlier compilation, in total. */
        public long reused() {
            return reused;
        }

        /** Identities held. */
        public int identities() {
            return identityPeers.size();
        }
    }

    /** One rule of one policy in one direction, with the numbers of its peers. */
    private record Rule(int id, int policyId, NetworkPolicy policy, boolean ingress, PolicyRule rule, int[] peers) {
    }

    /** One peer with the rule it belongs to. */
    private record Peer(int id, Rule rule, PolicyPeer peer) {
    }

    /** A prefix of one family, left-aligned in 128 bits (IPv4 in the top 32 bits of {@code high}). */
    private record Prefix(boolean v6, long high, long low, int length) {
        static Prefix of(IpAddress a, int length) {
            return switch (a) {
                case Ip4Address v4 -> new Prefix(false, ((long) v4.value() << 32) & mask(length, true), 0, length);
                case Ip6Address v6 -> new Prefix(true, v6.high() & mask(length, true), v6.low() & mask(length, false), length);
            };
        }

        static Prefix of(Cidr c) {
            return of(c.network(), c.prefixLength());
        }

        Prefix truncated(int to) {
            return new Prefix(v6, high & mask(to, true), low & mask(to, false), to);
        }

        int maxLength() {
            return v6 ? 128 : 32;
        }

        private static long mask(int length, boolean high) {
            int bits = high ? length : length - 64;
            return bits <= 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
        }
    }

    /** What the addresses a prefix alone covers are to the rules: their class key. */
    private record Signature(int[] peers, int[] namedPorts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Signature s && Arrays.equals(s.peers, peers) && Arrays.equals(s.namedPorts, namedPorts);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(peers) + Arrays.hashCode(namedPorts);
        }
    }

    private record TableKey(boolean ingress, int[] rules, int[] isolators, int[] ownNamedPorts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TableKey k && k.ingress == ingress && Arrays.equals(k.rules, rules)
                    && Arrays.equals(k.isolators, isolators) && Arrays.equals(k.ownNamedPorts, ownNamedPorts);
        }

        @Override
        public int hashCode() {
            return Boolean.hashCode(ingress) + 31 * (Arrays.hashCode(rules) + 31 * (Arrays.hashCode(isolators)
                    + 31 * Arrays.hashCode(ownNamedPorts)));
        }
    }

    private record CellKey(int table, int[] rules, int[] namedPorts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CellKey k && k.table == table && Arrays.equals(k.rules, rules)
                    && Arrays.equals(k.namedPorts, namedPorts);
        }

        @Override
        public int hashCode() {
            return table + 31 * (Arrays.hashCode(rules) + 31 * Arrays.hashCode(namedPorts));
        }
    }

    private static final class Run {
        private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
        private final List<PodInfo> pods;
        private final List<NetworkPolicy> policies;
        private final Node node;
        private final Map<NamespacedName, Integer> policyIds;
        private final Map<IpAddress, PodInfo> podAt = new HashMap<>();
        private final List<Rule> rules = new ArrayList<>();
        private final List<Peer> peers = new ArrayList<>();
        /** (name, protocol) of every named port an egress rule uses → its index in a signature's named ports. */
        private final Map<String, Integer> egressNames = new LinkedHashMap<>();
        private final Cache cache;
        private final Map<List<Object>, int[]> identityPeers;
        private final java.util.Set<List<Object>> matchedNow = new java.util.HashSet<>();

        Run(List<NamespaceInfo> namespaces, List<PodInfo> pods, List<NetworkPolicy> policies, Node node,
            Map<NamespacedName, Integer> policyIds, Cache cache) {
            for (NamespaceInfo n : namespaces) {
                namespaceLabels.put(n.name(), n.labels());
            }
            List<PodInfo> ordered = new ArrayList<>(pods);
            ordered.sort(Comparator.comparing(PodInfo::id));
            this.pods = ordered;
            for (PodInfo p : ordered) {
                if (!p.hostNetwork()) {
                    for (IpAddress a : p.ips()) {
                        podAt.putIfAbsent(a, p); // as PolicyModel: an address two pods claim is the first's
                    }
                }
            }
            List<NetworkPolicy> sorted = new ArrayList<>(policies);
            sorted.sort(Comparator.comparing(NetworkPolicy::id));
            this.policies = sorted;
            this.node = node;
            this.policyIds = policyIds;
            cache.validate(namespaces, sorted, policyIds, pods.size());
            this.cache = cache;
            this.identityPeers = cache.identityPeers;
        }

        CompiledPolicy compile(long generation) {
            numberRulesAndPeers();
            // ---- prefixes and their ipBlock membership
            Map<Prefix, long[]> flags = new LinkedHashMap<>(); // prefix → {pod-address?, node?} as bits
            for (Map.Entry<IpAddress, PodInfo> e : podAt.entrySet()) {
                flags.computeIfAbsent(Prefix.of(e.getKey(), e.getKey().family().bits()), k -> new long[1])[0] |= 1;
            }
            for (IpAddress a : node.nodeAddresses()) {
                flags.computeIfAbsent(Prefix.of(a, a.family().bits()), k -> new long[1])[0] |= 2;
            }
            Map<Integer, Map<Prefix, List<int[]>>> blocksByLength = new HashMap<>(); // length → prefix → {peer, except?}
            for (Peer p : peers) {
                if (p.peer() instanceof PolicyPeer.IpBlock block) {
                    Prefix c = Prefix.of(block.cidr());
                    blocksByLength.computeIfAbsent(key(c), k -> new HashMap<>()).computeIfAbsent(c, k -> new ArrayList<>())
                            .add(new int[] {p.id(), 0});
                    flags.putIfAbsent(c, new long[1]);
                    for (Cidr ex : block.except()) {
                        Prefix e = Prefix.of(ex);
                        blocksByLength.computeIfAbsent(key(e), k -> new HashMap<>()).computeIfAbsent(e, k -> new ArrayList<>())
                                .add(new int[] {p.id(), 1});
                        flags.putIfAbsent(e, new long[1]);
                    }
                }
            }
            int[] blockLengths4 = lengths(blocksByLength, false);
            int[] blockLengths6 = lengths(blocksByLength, true);

            // ---- local pods → slots
            List<PodInfo> local = new ArrayList<>();
            Map<NamespacedName, Integer> slotOf = new HashMap<>();
            for (PodInfo p : pods) {
                if (!p.hostNetwork() && isLocal(p) && local.size() < AddressInfo.MAX_SLOTS) {
                    slotOf.put(p.id(), local.size());
                    local.add(p);
                }
            }

            // ---- classes
            Map<Signature, Integer> classes = new HashMap<>();
            List<Signature> classList = new ArrayList<>();
            int emptyClass = intern(classes, classList, new Signature(new int[0], noNamedPorts()));
            AddressClassifier.Builder addresses = new AddressClassifier.Builder(AddressInfo.of(emptyClass, AddressInfo.NO_SLOT, false));
            for (Map.Entry<Prefix, long[]> e : flags.entrySet()) {
                Prefix prefix = e.getKey();
                boolean isPodAddress = (e.getValue()[0] & 1) != 0;
                boolean isNode = (e.getValue()[0] & 2) != 0;
                PodInfo pod = isPodAddress ? podAt.get(address(prefix)) : null;
                int[] blockPeers = ipBlockPeers(prefix, blocksByLength, prefix.v6() ? blockLengths6 : blockLengths4);
                int[] matched = pod == null ? blockPeers : union(blockPeers, podPeers(pod));
                int cls = intern(classes, classList, new Signature(matched, pod == null ? noNamedPorts() : namedPorts(pod)));
                int slot = pod == null ? AddressInfo.NO_SLOT : slotOf.getOrDefault(pod.id(), AddressInfo.NO_SLOT);
                long info = AddressInfo.of(cls, slot, isNode);
                if (prefix.v6()) {
                    addresses.add6(prefix.high(), prefix.low(), prefix.length(), info);
                } else {
                    addresses.add4((int) (prefix.high() >>> 32), prefix.length(), info);
                }
            }

            // ---- tables and rows
            int[] ingressTable = new int[local.size()];
            int[] egressTable = new int[local.size()];
            Map<TableKey, Integer> tableIds = new HashMap<>();
            List<TableKey> tables = new ArrayList<>();
            for (int s = 0; s < local.size(); s++) {
                ingressTable[s] = table(local.get(s), true, tableIds, tables);
                egressTable[s] = table(local.get(s), false, tableIds, tables);
            }
            int classCount = classList.size();
            int[] rows = new int[Math.max(1, tables.size()) * classCount];
            int[] denyPolicy = new int[Math.max(1, tables.size())];
            PortSets.Builder sets = new PortSets.Builder();
            fillRows(tables, classList, rows, denyPolicy, sets);
            if (tables.isEmpty()) {
                denyPolicy = new int[0];
                rows = new int[0];
            }

            List<String> slotNames = local.stream().map(p -> p.id().toString()).toList();
            int maxId = -1;
            for (NetworkPolicy p : policies) {
                maxId = Math.max(maxId, policyIds.get(p.id()));
            }
            List<String> policyNames = new ArrayList<>(java.util.Collections.nCopies(maxId + 1, (String) null));
            for (NetworkPolicy p : policies) {
                policyNames.set(policyIds.get(p.id()), p.id().toString());
            }
            boolean tracking = !policies.isEmpty();
            return new CompiledPolicy(generation, tracking, tracking && !local.isEmpty(), addresses.build(), classCount,
                    ingressTable, egressTable, rows, sets.build(), denyPolicy, slotNames, policyNames);
        }

        private void numberRulesAndPeers() {
            for (NetworkPolicy p : policies) {
                int policyId = policyIds.get(p.id());
                for (int dir = 0; dir < 2; dir++) {
                    boolean ingress = dir == 0;
                    if (ingress ? !p.ingress() : !p.egress()) {
                        continue;
                    }
                    for (PolicyRule r : ingress ? p.ingressRules() : p.egressRules()) {
                        int[] peerIds = new int[r.peers().size()];
                        Rule rule = new Rule(rules.size(), policyId, p, ingress, r, peerIds);
                        rules.add(rule);
                        for (int i = 0; i < peerIds.length; i++) {
                            peerIds[i] = peers.size();
                            peers.add(new Peer(peers.size(), rule, r.peers().get(i)));
                        }
                        if (!ingress) {
                            for (PolicyPort port : r.ports()) {
                                if (port.isNamed()) {
                                    egressNames.putIfAbsent(portKey(port.name(), port.protocol()), egressNames.size());
                                }
                            }
                        }
                    }
                }
            }
        }

        private boolean isLocal(PodInfo pod) {
            for (IpAddress a : pod.ips()) {
                if (podAt.get(a) == pod) {
                    for (Cidr c : node.podCidrs()) {
                        if (c.contains(a)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /**
         * The pod peers (ids, sorted) matching pods of this identity; computed once per identity (and kept in the
         * cache for the next compilation).
         */
        private int[] podPeers(PodInfo pod) {
            List<Object> identity = List.of(pod.namespace(), pod.labels());
            if (matchedNow.add(identity) && identityPeers.containsKey(identity)) {
                cache.reused++;
            }
            return identityPeers.computeIfAbsent(identity, k -> {
                Map<String, String> nsLabels = namespaceLabels.getOrDefault(pod.namespace(),
                        NamespaceInfo.of(pod.namespace(), Map.of()).labels());
                List<Integer> out = new ArrayList<>();
                for (Peer p : peers) {
                    if (p.peer() instanceof PolicyPeer.Pods pp) {
                        String policyNamespace = p.rule().policy().id().namespace();
                        boolean nsOk = pp.namespaceSelector() == null ? pod.namespace().equals(policyNamespace)
                                : pp.namespaceSelector().matches(nsLabels);
                        if (nsOk && (pp.podSelector() == null || pp.podSelector().matches(pod.labels()))) {
                            out.add(p.id());
                        }
                    }
                }
                return out.stream().mapToInt(Integer::intValue).toArray();
            });
        }

        /**
         * The ipBlock peers (ids, sorted) matching every address the prefix alone covers: a CIDR containing it and
         * no except containing it.
         */
        private static int[] ipBlockPeers(Prefix prefix, Map<Integer, Map<Prefix, List<int[]>>> byLength, int[] lengths) {
            if (lengths.length == 0) {
                return NONE;
            }
            TreeSet<Integer> out = new TreeSet<>();
            List<Integer> excluded = new ArrayList<>();
            for (int length : lengths) {
                if (length > prefix.length()) {
                    break;
                }
                List<int[]> hits = byLength.get(key(prefix.v6(), length)).get(prefix.truncated(length));
                if (hits != null) {
                    for (int[] h : hits) {
                        if (h[1] == 0) {
                            out.add(h[0]);
                        } else {
                            excluded.add(h[0]);
                        }
                    }
                }
            }
            out.removeAll(excluded);
            return out.isEmpty() ? NONE : out.stream().mapToInt(Integer::intValue).toArray();
        }

        /** The union of two sorted id arrays without repeats, sorted (one of them when the other is empty). */
        static int[] union(int[] a, int[] b) {
            if (a.length == 0) {
                return b;
            }
            if (b.length == 0) {
                return a;
            }
            int[] out = new int[a.length + b.length];
            int i = 0;
            int j = 0;
            int n = 0;
            while (i < a.length || j < b.length) {
                int next = j == b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
                if (i < a.length && a[i] == next) {
                    i++;
                }
                if (j < b.length && b[j] == next) {
                    j++;
                }
                out[n++] = next;
            }
            return n == out.length ? out : Arrays.copyOf(out, n);
        }

        private int[] noNamedPorts() {
            int[] none = new int[egressNames.size()];
            Arrays.fill(none, -1);
            return none;
        }

        /** The port numbers this pod declares for each egress named port (-1 for none). */
        private int[] namedPorts(PodInfo pod) {
            int[] out = noNamedPorts();
            for (ContainerPort c : pod.ports()) {
                Integer i = egressNames.get(portKey(c.name(), c.protocol()));
                if (i != null) {
                    out[i] = c.port();
                }
            }
            return out;
        }

        /** The pod's table for one direction, or -1 when no policy isolates that direction. */
        private int table(PodInfo pod, boolean ingress, Map<TableKey, Integer> ids, List<TableKey> tables) {
            List<Integer> ruleIds = new ArrayList<>();
            List<Integer> isolators = new ArrayList<>();
            for (NetworkPolicy p : policies) {
                if ((ingress ? p.ingress() : p.egress()) && p.selects(pod)) {
                    isolators.add(policyIds.get(p.id()));
                }
            }
            if (isolators.isEmpty()) {
                return -1;
            }
            List<String> ownNames = new ArrayList<>();
            for (Rule r : rules) {
                if (r.ingress() == ingress && r.policy().selects(pod)) {
                    ruleIds.add(r.id());
                    if (ingress) {
                        for (PolicyPort port : r.rule().ports()) {
                            if (port.isNamed()) {
                                ownNames.add(portKey(port.name(), port.protocol()));
                            }
                        }
                    }
                }
            }
            // Ingress named ports resolve against this pod: pods declaring them differently get different tables.
            int[] own = new int[ownNames.size()];
            for (int i = 0; i < own.length; i++) {
                own[i] = -1;
                for (ContainerPort c : pod.ports()) {
                    if ((portKey(c.name(), c.protocol())).equals(ownNames.get(i))) {
                        own[i] = c.port();
                    }
                }
            }
            TableKey key = new TableKey(ingress, ruleIds.stream().mapToInt(Integer::intValue).toArray(),
                    isolators.stream().mapToInt(Integer::intValue).toArray(), own);
            Integer id = ids.get(key);
            if (id == null) {
                id = tables.size();
                ids.put(key, id);
                tables.add(key);
            }
            return id;
        }

        private void fillRows(List<TableKey> tables, List<Signature> classList, int[] rows, int[] denyPolicy,
                              PortSets.Builder sets) {
            int classCount = classList.size();
            Map<CellKey, Integer> cells = new HashMap<>();
            PortSets.Spec spec = sets.spec();
            for (int t = 0; t < tables.size(); t++) {
                TableKey table = tables.get(t);
                denyPolicy[t] = firstIsolator(table.isolators());
                BitSet inTable = new BitSet(rules.size());
                List<Integer> everyPeer = new ArrayList<>();
                boolean namedEgress = false;
                for (int r : table.rules()) {
                    inTable.set(r);
                    if (rules.get(r).rule().allPeers()) {
                        everyPeer.add(r);
                    }
                    if (!table.ingress()) {
                        namedEgress |= rules.get(r).rule().ports().stream().anyMatch(PolicyPort::isNamed);
                    }
                }
                for (int c = 0; c < classCount; c++) {
                    Signature sig = classList.get(c);
                    TreeSet<Integer> matched = new TreeSet<>(everyPeer);
                    for (int peer : sig.peers()) {
                        int r = peers.get(peer).rule().id();
                        if (inTable.get(r)) {
                            matched.add(r);
                        }
                    }
                    int[] matchedRules = matched.stream().mapToInt(Integer::intValue).toArray();
                    int[] named = namedEgress ? sig.namedPorts() : null;
                    CellKey key = new CellKey(t, matchedRules, named);
                    Integer set = cells.get(key);
                    if (set == null) {
                        set = matchedRules.length == 0 ? PortSets.DENY : sets.add(portSet(spec.clear(), table, matchedRules, sig));
                        cells.put(key, set);
                    }
                    rows[t * classCount + c] = set;
                }
            }
        }

        private PortSets.Spec portSet(PortSets.Spec spec, TableKey table, int[] matchedRules, Signature peerClass) {
            for (int r : matchedRules) {
                Rule rule = rules.get(r);
                if (rule.rule().allPorts()) {
                    spec.any(rule.policyId());
                    continue;
                }
                for (PolicyPort port : rule.rule().ports()) {
                    int number;
                    int last;
                    if (port.isNamed()) {
                        number = table.ingress() ? ownNamedPort(table, rule, port) : peerClass.namedPorts()[egressNames
                                .get(portKey(port.name(), port.protocol()))];
                        last = number;
                    } else {
                        number = port.firstPort();
                        last = port.lastPort();
                    }
                    if (number >= 0) {
                        spec.range(port.protocol().ipProtocolNumber(), number, last, rule.policyId());
                    }
                }
            }
            return spec;
        }

        /** An ingress named port as the table's pod declares it (the table key holds the resolutions in rule order). */
        private int ownNamedPort(TableKey table, Rule rule, PolicyPort port) {
            int i = 0;
            for (int r : table.rules()) {
                for (PolicyPort p : rules.get(r).rule().ports()) {
                    if (p.isNamed()) {
                        if (r == rule.id() && p == port) {
                            return table.ownNamedPorts()[i];
                        }
                        i++;
                    }
                }
            }
            return -1;
        }

        /** The isolating policy a drop is counted against: the first by namespace/name. */
        private int firstIsolator(int[] isolators) {
            NamespacedName best = null;
            int id = isolators[0];
            for (NetworkPolicy p : policies) {
                int pid = policyIds.get(p.id());
                for (int i : isolators) {
                    if (i == pid && (best == null || p.id().compareTo(best) < 0)) {
                        best = p.id();
                        id = pid;
                    }
                }
            }
            return id;
        }

        private static int intern(Map<Signature, Integer> classes, List<Signature> list, Signature s) {
            Integer id = classes.get(s);
            if (id == null) {
                id = list.size();
                classes.put(s, id);
                list.add(s);
            }
            return id;
        }

        private static int key(Prefix p) {
            return key(p.v6(), p.length());
        }

        private static int key(boolean v6, int length) {
            return v6 ? 1000 + length : length;
        }

        private static int[] lengths(Map<Integer, Map<Prefix, List<int[]>>> byLength, boolean v6) {
            return byLength.keySet().stream().filter(k -> (k >= 1000) == v6).mapToInt(k -> v6 ? k - 1000 : k).sorted().toArray();
        }

        private static IpAddress address(Prefix p) {
            return p.v6() ? new Ip6Address(p.high(), p.low()) : new Ip4Address((int) (p.high() >>> 32));
        }
    }

    /** The key of a named port ("http/TCP": the same name over UDP is another port). */
    static String portKey(String name, Protocol protocol) {
        return name + "/" + protocol;
    }
}
