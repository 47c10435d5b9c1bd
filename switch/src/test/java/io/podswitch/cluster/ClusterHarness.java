package io.podswitch.cluster;

import io.podswitch.nativeio.NetnsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A multi-node podswitch cluster on one machine, built from network namespaces and nothing on the host:
 *
 * <pre>
 *   pcl&lt;id&gt;-ul (underlay)          pcl&lt;id&gt;-node-a             pod namespaces pcl&lt;id&gt;-a1, -a2 …
 *   ┌──────────────────┐           ┌──────────────────────────┐
 *   │ br0 ── n1 ═══════╪═══ veth ═╪═ eth0 192.168.77.11/24   │   podswitchd (own JVM, inside this netns)
 *   │     ── n2 ═══ … node-b      │        fd00:77::b/64     │     TAP eth0 in each of its pods
 *   │     ── n3 ═══ … node-c      │ podswitch0 (host TAP)    │     control socket DIR/node-a/run/
 *   └──────────────────┘           │ no DAD                   │
 *                                  └──────────────────────────┘
 * </pre>
 *
 * Every name carries a random 4-hex id, so runs never collide; {@link #close} (and a shutdown hook, if
 * the JVM is stopped first) kills every process it started and deletes every namespace and file.
 * The cluster YAML ({@link ClusterConfigYaml}) lives in DIR/cluster.yaml and is shared by all nodes.
 */
final class ClusterHarness implements AutoCloseable {
    /** The uplink interface name inside every node namespace (the config's {@code uplink.interface}). */
    static final String UPLINK = "eth0";
    /** Receive and transmit queues of every node's uplink veth. */
    static final int UPLINK_QUEUES = 4;
    static final String BRIDGE = "br0";

    final String id = NetnsFixture.suffix();
    final Path dir;
    private ClusterLayout layout;
    private final String underlay;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<ClusterPod> pods = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Thread cleanupHook = Thread.ofPlatform().unstarted(this::teardown);
    /** Appended to the rendered cluster YAML (e.g. a {@code services:} section); empty by default. */
    private volatile String extraYaml = "";
    /** With {@code source: kubernetes}: the API server every daemon watches (null: the file lists the nodes). */
    private ClusterApi api;
    private boolean closed;

    private ClusterHarness(ClusterLayout layout) throws IOException {
        this.layout = layout;
        this.dir = Files.createTempDirectory("podswitch-cluster-" + id + "-");
        this.underlay = "pcl" + id + "-ul";
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Builds the underlay and the layout's nodes and starts one podswitchd per node. */
    static ClusterHarness start(ClusterLayout layout) throws Exception {
        return start(layout, false);
    }

    /**
     * As {@link #start(ClusterLayout)}, but with {@code source: kubernetes}: an API server on the underlay
     * ({@link ClusterApi}) holds a Node object per node, and the cluster file holds nothing but the cluster
     * CIDRs, the overlay and the uplink settings.
     */
    static ClusterHarness startWithApi(ClusterLayout layout) throws Exception {
        return start(layout, true);
    }

    private static ClusterHarness start(ClusterLayout layout, boolean withApi) throws Exception {
        ClusterHarness h = new ClusterHarness(layout);
        try {
            h.namespace(h.underlay);
            Sh.run("ip", "-n", h.underlay, "link", "add", BRIDGE, "type", "bridge", "stp_state", "0",
                    "mcast_snooping", "0", "forward_delay", "0");
            Sh.run("ip", "-n", h.underlay, "link", "set", BRIDGE, "mtu", Integer.toString(layout.uplinkMtu()), "up");
            if (withApi) {
                h.api = ClusterApi.start(h.underlay, h.dir);
            }
            for (int i = 1; i <= layout.nodes(); i++) {
                h.buildNode(i);
            }
            h.writeConfig();
            for (ClusterNode n : h.nodes) {
                n.daemon().launch();
            }
            for (ClusterNode n : h.nodes) {
                n.daemon().awaitReady(90);
            }
            return h;
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    ClusterLayout layout() {
        return layout;
    }

    /** The API server (with {@link #startWithApi}); null otherwise. */
    ClusterApi api() {
        return api;
    }

    String underlayNetns() {
        return underlay;
    }

    List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    ClusterNode node(int index) {
        return nodes.get(index - 1);
    }

    /** Every pod, by name (a1, a2, b1, …): stable whatever order parallel ADDs finished in. */
    List<ClusterPod> pods() {
        synchronized (pods) {
            return pods.stream().sorted(Comparator.comparing(ClusterPod::name)).toList();
        }
    }

    Path configFile() {
        return dir.resolve("cluster.yaml");
    }

    private void namespace(String name) {
        Sh.run("ip", "netns", "add", name);
        synchronized (namespaces) {
            namespaces.add(name);
        }
        Sh.run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /** Node i: its namespace, the uplink veth into the underlay bridge, addresses, no DAD. */
    private ClusterNode buildNode(int i) {
        String name = layout.nodeName(i);
        String ns = "pcl" + id + "-" + name;
        namespace(ns);
        // no forwarding sysctls: podswitchd turns forwarding on itself (docs/egress.md)
        for (String s : List.of("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")) {
            Sh.runIn(ns, "sysctl", "-q", "-w", s);
        }
        String port = "n" + i;
        String mtu = Integer.toString(layout.uplinkMtu());
        // Multi-queue, like a real NIC: flows from the bridge land on different receive queues of the
        // node's uplink (the veth receives on the queue its peer transmitted on), so an AF_XDP uplink
        // must serve every queue or lose the traffic the others get.
        String queues = Integer.toString(UPLINK_QUEUES);
        Sh.run("ip", "-n", underlay, "link", "add", port, "mtu", mtu, "numtxqueues", queues, "numrxqueues", queues,
                "type", "veth", "peer", "name", UPLINK, "mtu", mtu, "numtxqueues", queues, "numrxqueues", queues,
                "netns", ns);
        Sh.run("ip", "-n", underlay, "link", "set", port, "master", BRIDGE, "up");
        // NAPI on the bridge side, so frames an XDP program redirects into the veth are accepted (veth needs GRO or XDP on the peer)
        Sh.quietly("ip", "netns", "exec", underlay, "ethtool", "-K", port, "gro", "on");
        Sh.run("ip", "-n", ns, "link", "set", UPLINK, "up");
        Sh.run("ip", "-n", ns, "addr", "add", ClusterLayout.node4(i) + "/24", "dev", UPLINK);
        Sh.run("ip", "-n", ns, "addr", "add", ClusterLayout.node6(i) + "/64", "dev", UPLINK, "nodad");
        ClusterNode node = new ClusterNode(i, name, ns, layout.nodeAddresses(i),
                new NodeDaemon(name, ns, configFile(), dir.resolve(name)));
        nodes.add(node);
        if (api != null) {
            api.client().nodes().resource(ClusterApi.node(layout, i)).create();
        }
        return node;
    }

    /** (Re)writes the shared cluster YAML for the current node count (atomically: a reloading daemon never reads half a file). */
    void writeConfig() throws IOException {
        Path tmp = dir.resolve("cluster.yaml.tmp");
        String yaml = api != null ? ClusterConfigYaml.renderKubernetes(layout, api.kubeconfig)
                : ClusterConfigYaml.render(layout, nodes.size());
        Files.writeString(tmp, yaml + extraYaml);
        Files.move(tmp, configFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Replaces the YAML appended to the cluster config (top-level keys such as {@code services:}),
     * rewrites the file and sends SIGHUP to every running daemon so that it reloads.
     */
    void reconfigure(String yaml) throws IOException {
        extraYaml = yaml;
        writeConfig();
        for (ClusterNode n : nodes) {
            if (n.daemon().running()) {
                n.daemon().sighup();
            }
        }
    }

    /**
     * Replaces the appended YAML, rewrites the file and makes every running daemon reload it through the
     * control API ({@code POST /v1/reload}), which answers once the new config is in force on that node.
     */
    void reconfigureNow(String yaml) throws Exception {
        extraYaml = yaml;
        writeConfig();
        for (ClusterNode n : nodes) {
            if (n.daemon().running()) {
                var r = n.daemon().send("POST", "/v1/reload", "{}");
                if (r.status() != 200) {
                    throw new IllegalStateException(n.name() + " refused the reload: " + r.bodyText());
                }
            }
        }
    }

    /**
     * A host on the underlay that is not a node (an external client): its own namespace with a veth into
     * the bridge, {@code 192.168.77.(100+i)/24} and {@code fd00:77::(100+i)/64}; deleted with the harness.
     * Returns the namespace name.
     */
    String externalHost(int i) {
        String ns = "pcl" + id + "-ext" + i;
        namespace(ns);
        Sh.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
        String mtu = Integer.toString(layout.uplinkMtu());
        Sh.run("ip", "-n", underlay, "link", "add", "x" + i, "mtu", mtu, "type", "veth", "peer", "name", UPLINK,
                "mtu", mtu, "netns", ns);
        Sh.run("ip", "-n", underlay, "link", "set", "x" + i, "master", BRIDGE, "up");
        Sh.quietly("ip", "netns", "exec", underlay, "ethtool", "-K", "x" + i, "gro", "on");
        // A veth leaves TCP/UDP checksums to "the hardware" (CHECKSUM_PARTIAL); an AF_XDP socket receives
        // the raw frame without that note, so the host computes them itself, as a real NIC's wire carries.
        Sh.run("ip", "netns", "exec", ns, "ethtool", "-K", UPLINK, "tx", "off");
        Sh.run("ip", "-n", ns, "link", "set", UPLINK, "up");
        Sh.run("ip", "-n", ns, "addr", "add", externalAddress4(i) + "/24", "dev", UPLINK);
        Sh.run("ip", "-n", ns, "addr", "add", externalAddress6(i) + "/64", "dev", UPLINK, "nodad");
        return ns;
    }

    /** "The internet" of {@link #internet()}: addresses outside every cluster range. */
    static final String INTERNET4 = "203.0.113.10";
    static final String INTERNET6 = "2001:db8:77::10";
    /** The underlay gateway every node's default route points at (the internet namespace's underlay side). */
    static final String GATEWAY4 = "192.168.77.254";
    static final String GATEWAY6 = "fd00:77::fe";

    /**
     * "The internet" for pods: a namespace on the underlay bridge that is the nodes' default gateway
     * ({@value #GATEWAY4}, {@value #GATEWAY6}; every current node gets default routes to it) and holds
     * addresses outside every cluster range ({@value #INTERNET4}, {@value #INTERNET6}). It routes the
     * cluster's pod CIDRs to node {@code podRouteVia} (as a router that learned them would), so traffic
     * that leaves unmasqueraded can be answered too and a server there shows which source it saw.
     * Returns the namespace name; deleted with the harness.
     */
    String internet(int podRouteVia) {
        String ns = "pcl" + id + "-inet";
        namespace(ns);
        Sh.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
        String mtu = Integer.toString(layout.uplinkMtu());
        Sh.run("ip", "-n", underlay, "link", "add", "inet", "mtu", mtu, "type", "veth", "peer", "name", UPLINK,
                "mtu", mtu, "netns", ns);
        Sh.run("ip", "-n", underlay, "link", "set", "inet", "master", BRIDGE, "up");
        Sh.quietly("ip", "netns", "exec", underlay, "ethtool", "-K", "inet", "gro", "on");
        Sh.run("ip", "netns", "exec", ns, "ethtool", "-K", UPLINK, "tx", "off"); // see externalHost
        Sh.run("ip", "-n", ns, "link", "set", UPLINK, "up");
        Sh.run("ip", "-n", ns, "addr", "add", GATEWAY4 + "/24", "dev", UPLINK);
        Sh.run("ip", "-n", ns, "addr", "add", GATEWAY6 + "/64", "dev", UPLINK, "nodad");
        Sh.run("ip", "-n", ns, "addr", "add", INTERNET4 + "/32", "dev", "lo");
        Sh.run("ip", "-n", ns, "addr", "add", INTERNET6 + "/128", "dev", "lo");
        Sh.run("ip", "-n", ns, "route", "add", "10.244.0.0/16", "via", ClusterLayout.node4(podRouteVia));
        Sh.run("ip", "-n", ns, "-6", "route", "add", "fd00:10:244::/56", "via", ClusterLayout.node6(podRouteVia));
        for (ClusterNode n : nodes) {
            Sh.run("ip", "-n", n.netns(), "route", "replace", "default", "via", GATEWAY4);
            Sh.run("ip", "-n", n.netns(), "-6", "route", "replace", "default", "via", GATEWAY6);
        }
        return ns;
    }

    static String externalAddress4(int i) {
        return "192.168.77." + (100 + i);
    }

    static String externalAddress6(int i) {
        return "fd00:77::" + Integer.toHexString(100 + i);
    }

    /**
     * Grows the cluster by one node at run time: builds it and starts its daemon; with the file as the
     * source it appends it to the config and sends SIGHUP to every other daemon so that they reload it, with
     * the API server it creates the node's Node object (the daemons watch it).
     */
    ClusterNode addNode() throws Exception {
        layout = layout.withNodes(nodes.size() + 1);
        ClusterNode n = buildNode(nodes.size() + 1);
        if (api == null) {
            writeConfig();
        }
        n.daemon().launch();
        for (ClusterNode other : nodes) {
            if (api == null && other != n && other.daemon().running()) {
                other.daemon().sighup();
            }
        }
        n.daemon().awaitReady(90);
        return n;
    }

    /**
     * Switches the running cluster to another overlay mode / uplink attachment (same families, same
     * nodes): every daemon is killed, the config rewritten and every daemon started again. The pods
     * stay — each restarted daemon re-attaches its pods' persistent TAPs — so only the daemons' start
     * is paid, not the pods'.
     */
    void reconfigure(ClusterLayout next) throws Exception {
        if (!next.families().equals(layout.families()) || next.nodes() != nodes.size()) {
            throw new IllegalArgumentException("reconfigure keeps families and nodes: " + layout.label() + " → " + next.label());
        }
        for (ClusterNode n : nodes) {
            n.daemon().kill9();
        }
        layout = next;
        writeConfig();
        for (ClusterNode n : nodes) {
            n.daemon().launch();
        }
        for (ClusterNode n : nodes) {
            n.daemon().awaitReady(90);
        }
    }

    /** Kill -9 a node's daemon (a crash): its pods' TAPs stay, podswitch0 and its routes vanish. */
    void crash(int node) throws InterruptedException {
        node(node).daemon().kill9();
    }

    /** Starts a node's daemon again (same state dir: it recovers its pods) and waits until it answers. */
    void restart(int node) throws Exception {
        NodeDaemon d = node(node).daemon();
        d.launch();
        d.awaitReady(90);
    }

    /** Adds a pod on a node through the CNI plugin; {@code mtu} 0 = the daemon's default. */
    ClusterPod addPod(int node, String name, int mtu) throws Exception {
        return addPod(node, name, mtu, "");
    }

    /** As {@link #addPod(int, String, int)}, with CNI_ARGS (e.g. {@code K8S_POD_NAMESPACE=x;K8S_POD_NAME=a}). */
    ClusterPod addPod(int node, String name, int mtu, String cniArgs) throws Exception {
        String ns = "pcl" + id + "-" + name;
        namespace(ns);
        ClusterPod pod = wire(node, name, ns, mtu, cniArgs);
        synchronized (pods) {
            pods.add(pod);
        }
        return pod;
    }

    private ClusterPod wire(int node, String name, String ns, int mtu, String cniArgs) throws Exception {
        String netconf = CniPlugin.netconf(node(node).daemon().socket(), mtu);
        CniPlugin.Outcome add = CniPlugin.run("ADD", "ctr-" + ns, ns, netconf, cniArgs);
        if (add.exit() != 0) {
            throw new IllegalStateException("CNI ADD of pod " + name + " on " + node(node).name() + " failed: " + add
                    + "\n" + node(node).daemon().log());
        }
        return new ClusterPod(name, ns, node, CniPlugin.addresses(add), add.stdout());
    }

    /** {@code perNode} pods on every node (named a1, a2, b1, …), wired in parallel, with the daemon's default MTU. */
    List<ClusterPod> addPods(int perNode) throws Exception {
        return addPods(perNode, 0);
    }

    /** As {@link #addPods(int)} with a pod MTU ({@code 0}: the daemon's default). */
    List<ClusterPod> addPods(int perNode, int mtu) throws Exception {
        List<ClusterPod> added = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(6, nodes.size() * perNode))) {
            List<Future<ClusterPod>> futures = new ArrayList<>();
            for (ClusterNode n : nodes) {
                for (int k = 1; k <= perNode; k++) {
                    String name = (char) ('a' + n.index() - 1) + Integer.toString(k);
                    futures.add(pool.submit(() -> addPod(n.index(), name, mtu)));
                }
            }
            for (Future<ClusterPod> f : futures) {
                added.add(f.get());
            }
        }
        return added;
    }

    /** An echo service (TCP and UDP) in a pod, closed with the harness. */
    PodEcho echo(ClusterPod pod, int port) {
        PodEcho e = PodEcho.start(pod.netns(), port);
        synchronized (closeables) {
            closeables.add(e);
        }
        return e;
    }

    /** Something to close with the harness (before the namespaces go). */
    void closeLater(AutoCloseable c) {
        synchronized (closeables) {
            closeables.add(c);
        }
    }

    /** A background process (iperf3 server, tcpdump …) inside a namespace, killed with the harness. */
    Process background(String netns, String... command) throws IOException {
        Process p = new ProcessBuilder(Sh.inNetns(netns, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("background.log").toFile())).start();
        synchronized (closeables) {
            closeables.add(() -> {
                p.destroy();
                if (!p.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            });
        }
        return p;
    }

    /** One ping from a namespace (null: the test's own) — up to three tries, the first may wait for ARP/ND. */
    static boolean ping(String netns, String target) {
        return ping(netns, target, 3);
    }

    static boolean ping(String netns, String target, int tries) {
        for (int attempt = 0; attempt < tries; attempt++) {
            if (Sh.exec(Duration.ofSeconds(10), Sh.inNetns(netns, "ping", "-n", "-c", "1", "-W", "2", target)).ok()) {
                return true;
            }
        }
        return false;
    }

    /** Names of leftover namespaces of this harness (for the clean-teardown check). */
    List<String> leftoverNamespaces() {
        String all = Sh.run("ip", "netns", "list");
        return all.lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith("pcl" + id)).toList();
    }

    /** Every daemon's log, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (ClusterNode n : nodes) {
            sb.append("---- ").append(n.name()).append(" podswitchd log\n").append(n.daemon().log()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook runs teardown itself
        }
    }

    private void teardown() {
        List<AutoCloseable> toClose;
        synchronized (closeables) {
            toClose = new ArrayList<>(closeables);
            closeables.clear();
        }
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("cluster " + id + ": " + e);
            }
        }
        for (ClusterNode n : nodes) {
            try {
                n.daemon().kill9(); // everything it made lives in namespaces deleted below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (api != null) {
            try {
                api.close();
            } catch (Exception e) {
                System.err.println("cluster " + id + ": API server: " + e);
            }
        }
        List<String> ns;
        synchronized (namespaces) {
            ns = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        for (String n : ns.reversed()) {
            Sh.quietly("ip", "netns", "del", n);
        }
        if (!Boolean.getBoolean("podswitch.cluster.keepLogs")) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("cluster " + id + ": cannot delete " + dir + ": " + e);
            }
        }
    }
}
