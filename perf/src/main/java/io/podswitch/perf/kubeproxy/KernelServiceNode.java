package io.podswitch.perf.kubeproxy;

import io.podswitch.perf.bench.side.ServiceNode;
import io.podswitch.perf.bench.side.ServiceSpec;
import io.podswitch.perf.topo.Exec;
import io.podswitch.perf.topo.Topology;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes node as kubenet-style CNIs and kube-proxy build it, in namespaces: the node namespace
 * holds bridge {@code cbr0} with the pod gateway address, one veth per pod enslaved to it (hairpin
 * mode on, as kubelet sets it), IP forwarding and {@code bridge-nf-call-iptables} on (kube-proxy needs
 * bridged replies to pass conntrack), and the services programmed in the requested kube-proxy mode.
 * <pre>
 *   client pod  eth0 10.244.0.2/24 ─┐
 *   backend 0   eth0 10.244.0.3/24 ─┤ [node: cbr0 10.244.0.1/24, kube-proxy rules for 10.96.0.0/16]
 *   backend i   eth0 10.244.0.(3+i) ┘   every pod: default via 10.244.0.1
 * </pre>
 */
public final class KernelServiceNode {

    public static final String CLUSTER_CIDR = "10.244.0.0/16";
    public static final String SERVICE_CIDR = "10.96.0.0/16";
    static final String POD_PREFIX = "10.244.0.";
    static final String BRIDGE = "cbr0";

    private KernelServiceNode() {
    }

    /** Builds the node and pods in {@code t} and loads the rules; the rules vanish with the namespace. */
    public static ServiceNode build(Topology t, KubeProxyMode mode, int backends, List<ServiceSpec> specs,
                                    String toolVersion) throws IOException {
        String node = t.netns("node");
        t.bridge(node, BRIDGE);
        t.address(node, BRIDGE, POD_PREFIX + "1/24");
        t.sysctl(node, "net.ipv4.ip_forward", "1");
        t.sysctl(node, "net.bridge.bridge-nf-call-iptables", "1");
        String client = pod(t, node, "client", "vclient", POD_PREFIX + "2");
        List<String> backendNs = new ArrayList<>();
        List<String> backendIps = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            String ip = POD_PREFIX + (3 + i);
            backendNs.add(pod(t, node, "b" + i, "vb" + i, ip));
            backendIps.add(ip);
        }
        List<ServicePort> ports = servicePorts(specs, backendIps);
        switch (mode) {
            case IPTABLES -> Exec.runWithFile(node, IptablesRules.restoreInput(ports, CLUSTER_CIDR), "iptables-restore", "--noflush");
            case NFTABLES -> Exec.runWithFile(node, NftablesRules.script(ports, CLUSTER_CIDR, SERVICE_CIDR), "nft", "-f");
            case IPVS -> {
                for (List<String> c : IpvsRules.commands(ports)) {
                    Exec.run(Exec.inNetns(node, c.toArray(String[]::new)));
                }
                Exec.runWithFile(node, IpvsRules.hairpinRestoreInput(ports), "iptables-restore", "--noflush");
            }
        }
        return new ServiceNode(client, POD_PREFIX + "2", backendNs, backendIps,
                "kube-proxy " + mode.name().toLowerCase(java.util.Locale.ROOT) + " rules (" + toolVersion + ")", () -> { });
    }

    /** The scenario's services as kube-proxy service ports over the backend pods' addresses. */
    public static List<ServicePort> servicePorts(List<ServiceSpec> specs, List<String> backendIps) {
        List<ServicePort> ports = new ArrayList<>();
        for (ServiceSpec s : specs) {
            List<String> endpoints = new ArrayList<>();
            for (int b : s.backends()) {
                endpoints.add(backendIps.get(b) + ":" + s.targetPort());
            }
            ports.add(ServicePort.tcp(s.name(), s.portName(), s.clusterIp(), s.port(), endpoints));
        }
        return ports;
    }

    private static String pod(Topology t, String node, String role, String nodeSide, String ip) throws IOException {
        String pod = t.netns(role);
        t.veth(pod, "eth0", node, nodeSide);
        t.enslave(node, nodeSide, BRIDGE);
        Exec.run(List.of("ip", "-n", node, "link", "set", nodeSide, "type", "bridge_slave", "hairpin", "on"));
        t.address(pod, "eth0", ip + "/24");
        t.route(pod, "default", POD_PREFIX + "1");
        return pod;
    }

}
