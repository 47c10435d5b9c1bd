package io.podswitch.perf.topo;


import io.podswitch.daemon.json.JsonCodec;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A set of network namespaces owned by one bench step. Names carry a random 4-hex id
 * ({@code psb3f2a-gen}) so parallel runs never collide; {@link #close} deletes every namespace
 * (taking its veths and bridges with it), and {@link BenchShutdown} does the same, after stopping the
 * processes in them, if the JVM is stopped first. Links are created directly inside their namespaces, never in the host's.
 */
public final class Topology implements AutoCloseable {

    private static final SecureRandom IDS = new SecureRandom();

    private final String id;
    private final List<String> namespaces = new ArrayList<>();
    private final BenchShutdown.Registration cleanup;
    private boolean closed;

    private Topology(String id) {
        this.id = id;
        this.cleanup = BenchShutdown.register(this::deleteNamespaces);
    }

    public static Topology create() {
        byte[] b = new byte[2];
        IDS.nextBytes(b);
        return new Topology(HexFormat.of().formatHex(b));
    }

    /** The random 4-hex id of this topology, also usable in interface names (at most 15 chars). */
    public String id() {
        return id;
    }

    /** Creates namespace {@code psb<id>-<role>} and brings its loopback up. */
    public synchronized String netns(String role) throws IOException {
        if (closed) {
            throw new IllegalStateException("topology " + id + " is closed");
        }
        if (BenchShutdown.stopping()) {
            throw new IOException("the bench is stopping: no new namespace");
        }
        String name = "psb" + id + "-" + role;
        Exec.run(List.of("ip", "netns", "add", name));
        namespaces.add(name);
        Exec.run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
        return name;
    }

    /** A veth pair with one end in each namespace; both ends up. */
    public void veth(String nsA, String devA, String nsB, String devB) throws IOException {
        Exec.run(List.of("ip", "-n", nsA, "link", "add", devA, "type", "veth", "peer", "name", devB, "netns", nsB));
        up(nsA, devA);
        up(nsB, devB);
    }

    public void up(String ns, String dev) throws IOException {
        Exec.run(List.of("ip", "-n", ns, "link", "set", dev, "up"));
    }

    public void address(String ns, String dev, String cidr) throws IOException {
        Exec.run(List.of("ip", "-n", ns, "addr", "add", cidr, "dev", dev));
    }

    public void route(String ns, String destination, String via) throws IOException {
        Exec.run(List.of("ip", "-n", ns, "route", "add", destination, "via", via));
    }

    public void sysctl(String ns, String key, String value) throws IOException {
        Exec.run(Exec.inNetns(ns, "sysctl", "-q", "-w", key + "=" + value));
    }

    public void bridge(String ns, String name) throws IOException {
        Exec.run(List.of("ip", "-n", ns, "link", "add", name, "type", "bridge"));
        up(ns, name);
    }

    public void enslave(String ns, String dev, String bridge) throws IOException {
        Exec.run(List.of("ip", "-n", ns, "link", "set", dev, "master", bridge));
    }

    /** The MAC address of a link. */
    public static String mac(String ns, String dev) throws IOException {
        JsonNode mac = JsonCodec.tree(Exec.run(List.of("ip", "-n", ns, "-j", "link", "show", "dev", dev))).path(0)
                .path("address");
        if (mac.isString()) {
            return mac.stringValue();
        }
        throw new IOException("no MAC address for " + dev + " in " + ns);
    }

    /** The MAC a namespace has resolved for a neighbour (after traffic to it), e.g. a gateway. */
    public static String neighbourMac(String ns, String ip) throws IOException {
        for (JsonNode entry : JsonCodec.tree(Exec.run(List.of("ip", "-n", ns, "-j", "neigh", "show", "to", ip)))) {
            if (entry.path("lladdr").isString()) {
                return entry.path("lladdr").stringValue();
            }
        }
        throw new IOException("no neighbour entry for " + ip + " in " + ns);
    }

    /** A link counter from {@code ip -s -j link}: {@code rx} or {@code tx}, then e.g. {@code packets}. */
    public static long counter(String ns, String dev, String direction, String field) throws IOException {
        JsonNode v = JsonCodec.tree(Exec.run(List.of("ip", "-n", ns, "-s", "-j", "link", "show", "dev", dev))).path(0)
                .path("stats64").path(direction).path(field);
        if (v.isNumber()) {
            return v.longValue();
        }
        throw new IOException("no " + direction + " " + field + " counter for " + dev + " in " + ns);
    }

    /** One ping to warm ARP/ND along a path; true when it was answered. */
    public static boolean ping(String ns, String ip) throws IOException {
        return Exec.exec(Exec.inNetns(ns, "ping", "-c", "1", "-W", "2", ip), Exec.DEFAULT_TIMEOUT).exitCode() == 0;
    }

    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespaces();
        cleanup.close();
    }

    private synchronized void deleteNamespaces() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                Exec.exec(List.of("ip", "netns", "del", namespaces.get(i)), Exec.DEFAULT_TIMEOUT);
            } catch (IOException e) {
                System.err.println("bench: could not delete namespace " + namespaces.get(i) + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}
