package io.podswitch.cluster;

import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The podswitch CNI plugin executed as a container runtime executes it: a fresh process with the
 * CNI_* environment and the netconf on stdin (bin/podswitch-cni's JVM flags), result on stdout.
 */
final class CniPlugin {
    private static final List<String> FLAGS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-XX:-UsePerfData");

    private CniPlugin() {
    }

    /** What one plugin run printed. */
    record Outcome(int exit, String stdout, String stderr) {
        ObjectReader json() {
            return ObjectReader.of(JsonParser.parse(stdout), "");
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout " + stdout + ", stderr " + stderr;
        }
    }

    /** The netconf for a node's daemon, with an optional pod MTU (0: the daemon's default). */
    static String netconf(Path socket, int mtu) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"podnet\",\"type\":\"podswitch-cni\",\"socket\":\"" + socket + "\""
                + (mtu > 0 ? ",\"mtu\":" + mtu : "") + "}";
    }

    static Outcome run(String command, String containerId, String netns, String netconf) throws IOException, InterruptedException {
        return run(command, containerId, netns, netconf, "");
    }

    /** @param cniArgs CNI_ARGS as a runtime passes it, e.g. {@code K8S_POD_NAMESPACE=x;K8S_POD_NAME=a} ("" for none) */
    static Outcome run(String command, String containerId, String netns, String netconf, String cniArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.podswitch.cni.PodswitchCni"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_NETNS", "/var/run/netns/" + netns);
        env.put("CNI_PATH", "/opt/cni/bin");
        if (!cniArgs.isEmpty()) {
            env.put("CNI_ARGS", cniArgs);
        }
        Process p = pb.start();
        p.getOutputStream().write(netconf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the CNI plugin did not exit within 60 s");
        }
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** The bare addresses of an ADD result, in result order (primary family first). */
    static List<String> addresses(Outcome add) {
        List<String> bare = new ArrayList<>();
        for (ObjectReader ip : add.json().optionalObjectList("ips")) {
            String a = ip.requiredString("address");
            bare.add(a.substring(0, a.indexOf('/')));
        }
        return bare;
    }
}
