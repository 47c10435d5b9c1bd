package io.podswitch.perf.sides;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.json.NodeReader;
import io.podswitch.perf.bench.side.PodNetwork;
import io.podswitch.perf.bench.side.PodNetworkSide;
import io.podswitch.perf.runtime.Conflists;
import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link PodNetworkSide} for real: podswitchd as a child JVM ({@link PodswitchdProcess}) and the plugin
 * as {@code install-cni} installed it ({@link CniInstallation}, shared by every node of this JVM: the
 * conflist's {@code socket} says which daemon a pod goes to).
 */
public final class PodswitchdPodNetwork implements PodNetwork {
    private final PodswitchdProcess daemon;
    private final CniInstallation plugin;
    private final boolean ip4;
    private final boolean ip6;

    private PodswitchdPodNetwork(PodswitchdProcess daemon, CniInstallation plugin, String families) {
        this.daemon = daemon;
        this.plugin = plugin;
        this.ip4 = families.contains("IPv4");
        this.ip6 = families.contains("IPv6");
    }

    /** The side registered for the bench (META-INF/services). */
    public static final class Side implements PodNetworkSide {
        @Override
        public PodNetwork start(String families, int maxPods) throws Exception {
            return PodswitchdPodNetwork.start(families, maxPods);
        }
    }

    public static PodswitchdPodNetwork start(String families, int maxPods) throws Exception {
        CniInstallation plugin = CniInstallation.shared();
        plugin.recordSubjectJvm();
        return new PodswitchdPodNetwork(PodswitchdProcess.start(PodswitchdCniSide.absoluteClassPath(), families, maxPods),
                plugin, families);
    }

    @Override
    public Path cniBinDir() {
        return plugin.binDir();
    }

    @Override
    public String conflist(String network) throws IOException {
        return Conflists.forDaemon(Files.readString(plugin.conflist()), network, daemon.socket());
    }

    @Override
    public String gateway(boolean ipv6) {
        String cidr = null;
        try {
            for (NodeReader r : get("/v1/ipam").optionalObjectList("ranges")) {
                if (r.requiredString("cidr").contains(":") == ipv6) {
                    cidr = r.requiredString("gateway");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("podswitchd does not answer: " + e.getMessage(), e);
        }
        return cidr;
    }

    @Override
    public String hostAddress(boolean ipv6) throws IOException {
        if (ipv6 ? !ip6 : !ip4) {
            return null;
        }
        String out = Exec.run(List.of("ip", "-o", ipv6 ? "-6" : "-4", "addr", "show", "dev", daemon.hostPort(),
                "scope", "global"));
        return out.split(ipv6 ? "inet6 " : "inet ")[1].split("/")[0];
    }

    @Override
    public Map<String, List<String>> pods() throws IOException {
        return byContainer(get("/v1/pods").optionalObjectList("pods"));
    }

    @Override
    public Map<String, List<String>> allocations() throws IOException {
        return byContainer(get("/v1/ipam").optionalObjectList("allocations"));
    }

    private static Map<String, List<String>> byContainer(List<NodeReader> entries) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (NodeReader r : entries) {
            out.put(r.requiredString("containerID"), r.optionalStringList("addresses"));
        }
        return out;
    }

    private NodeReader get(String path) throws IOException {
        HttpResponse r;
        try {
            r = new UnixHttpClient(daemon.socket(), TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                    .exchange(new HttpRequest("GET", path, Map.of(), null), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        } catch (HttpClientException e) {
            throw new IOException("GET " + path + ": " + e.getMessage(), e);
        }
        if (r.status() != 200) {
            throw new IOException("GET " + path + " answered " + r.status() + ": " + r.bodyText());
        }
        return NodeReader.of(JsonCodec.tree(r.body()), "");
    }

    @Override
    public Path socketPath() {
        return daemon.socket();
    }

    @Override
    public Path stateDir() {
        return daemon.directory().resolve("state");
    }

    @Override
    public long daemonPid() {
        return daemon.pid();
    }

    @Override
    public void kill9() throws Exception {
        daemon.kill9();
    }

    @Override
    public void restart() throws Exception {
        daemon.startAgain();
    }

    @Override
    public String daemonLog() {
        return daemon.log();
    }

    @Override
    public void close() {
        daemon.close();
    }
}
