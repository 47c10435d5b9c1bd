package io.podswitch.perf.baseline;

import io.podswitch.perf.topo.Exec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Executes a CNI plugin the way a runtime does (CNI spec 1.x: {@code CNI_*} environment, network
 * configuration on stdin, result or error JSON on stdout). Used for the reference {@code bridge}
 * plugin baseline of the cni scenario.
 */
public final class CniPluginRunner {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path plugin;
    private final Path pluginDir;
    private final String config;

    /** @param config the network configuration JSON handed to the plugin on stdin */
    public CniPluginRunner(Path plugin, String config) {
        this.plugin = plugin;
        this.pluginDir = plugin.getParent();
        this.config = config;
    }

    /**
     * The reference bridge plugin with host-local IPAM: bridge {@code bridgeName} in the host
     * namespace, no gateway and no masquerading (so the host's forwarding and NAT settings are left
     * alone), addresses from {@code subnet}, IPAM state in {@code ipamDir}.
     */
    public static String bridgeConfig(String networkName, String bridgeName, String subnet, Path ipamDir) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + networkName + "\",\"type\":\"bridge\",\"bridge\":\"" + bridgeName
                + "\",\"isGateway\":false,\"ipMasq\":false,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\""
                + subnet + "\"}]],\"dataDir\":\"" + ipamDir + "\"}}";
    }

    public void add(String containerId, Path netns, String ifName) throws IOException {
        invoke("ADD", containerId, netns, ifName, "");
    }

    /** ADD, returning the plugin's result JSON (interfaces, ips, routes). */
    public String addWithResult(String containerId, Path netns, String ifName) throws IOException {
        return invoke("ADD", containerId, netns, ifName, "");
    }

    /** ADD with CNI_ARGS as a runtime passes them (e.g. {@code K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod}). */
    public String addWithResult(String containerId, Path netns, String ifName, String cniArgs) throws IOException {
        return invoke("ADD", containerId, netns, ifName, cniArgs);
    }

    public void del(String containerId, Path netns, String ifName) throws IOException {
        invoke("DEL", containerId, netns, ifName, "");
    }

    private String invoke(String command, String containerId, Path netns, String ifName, String cniArgs) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(plugin.toString());
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns.toString());
        env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", pluginDir.toString());
        if (!cniArgs.isEmpty()) {
            env.put("CNI_ARGS", cniArgs);
        }
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(config.getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("CNI " + command + " by " + plugin.getFileName() + " did not answer within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for CNI " + command, e);
        }
        if (p.exitValue() != 0) {
            String msg = new String(out.join(), StandardCharsets.UTF_8).strip() + " "
                    + new String(err.join(), StandardCharsets.UTF_8).strip();
            throw new IOException("CNI " + command + " by " + plugin.getFileName() + " for " + containerId + " failed ("
                    + p.exitValue() + "): " + msg.strip());
        }
        return new String(out.join(), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Removes the bridge the plugin created in the host namespace (bench tooling cleanup). */
    public static void deleteBridge(String bridgeName) throws IOException {
        Exec.exec(java.util.List.of("ip", "link", "del", bridgeName), Exec.DEFAULT_TIMEOUT);
    }
}
