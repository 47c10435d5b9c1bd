package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.policy.ContainerPort;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.config.model.policy.NamespaceInfo;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.config.model.policy.PolicyPeer;
import io.podswitch.config.model.policy.PolicyPort;
import io.podswitch.config.model.policy.PolicyRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Random clusters and policies from a seed, for property and fuzz tests: a few namespaces and pods (on two
 * nodes, dual-stack) with labels from a small vocabulary (so selectors often match), named ports that vary
 * between pods, and policies with every kind of selector, peer and port — ipBlocks placed around pod
 * addresses so that CIDRs and excepts cut through them.
 */
public final class RandomPolicies {
    static final String[] KEYS = {"app", "tier", "team"};
    static final String[] VALUES = {"a", "b", "c"};
    static final String[] PORT_NAMES = {"http", "dns", "metrics"};
    static final int[] PORTS = {53, 80, 81, 443, 8080};

    private final SplittableRandom random;
    public final List<NamespaceInfo> namespaces = new ArrayList<>();
    public final List<PodInfo> pods = new ArrayList<>();
    public final List<NetworkPolicy> policies = new ArrayList<>();
    /** Addresses that are no pod's: some inside the pod networks, some far away. */
    public final List<IpAddress> others = new ArrayList<>();

    public RandomPolicies(long seed) {
        random = new SplittableRandom(seed);
        int nsCount = 1 + random.nextInt(3);
        for (int i = 0; i < nsCount; i++) {
            namespaces.add(NamespaceInfo.of("ns" + i, labels(2)));
        }
        int podCount = 2 + random.nextInt(8);
        for (int i = 0; i < podCount; i++) {
            int node = 1 + random.nextInt(2);
            int host = 1 + i;
            List<IpAddress> ips = List.of(IpAddress.parse("10.244." + node + "." + host),
                    IpAddress.parse("fd00:10:244:" + node + "::" + host));
            List<ContainerPort> ports = new ArrayList<>();
            for (String name : PORT_NAMES) {
                if (random.nextInt(3) > 0) {
                    Protocol proto = random.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP;
                    ports.add(new ContainerPort(name, proto, PORTS[random.nextInt(PORTS.length)]));
                }
            }
            pods.add(new PodInfo(new NamespacedName("ns" + random.nextInt(nsCount), "p" + i), labels(3), ips, "",
                    random.nextInt(12) == 0, ports));
        }
        others.add(IpAddress.parse("10.244.1.200"));
        others.add(IpAddress.parse("10.244.2.201"));
        others.add(IpAddress.parse("192.0.2.7"));
        others.add(IpAddress.parse("fd00:10:244:1::c8"));
        others.add(IpAddress.parse("2001:db8::7"));
        int policyCount = 1 + random.nextInt(5);
        for (int i = 0; i < policyCount; i++) {
            policies.add(policy(i));
        }
    }

    private Map<String, String> labels(int max) {
        Map<String, String> m = new TreeMap<>();
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            m.put(KEYS[random.nextInt(KEYS.length)], VALUES[random.nextInt(VALUES.length)]);
        }
        return m;
    }

    private LabelSelector selector() {
        List<LabelRequirement> expressions = new ArrayList<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            LabelRequirement.Operator op = LabelRequirement.Operator.values()[random.nextInt(4)];
            List<String> values = new ArrayList<>();
            if (op == LabelRequirement.Operator.IN || op == LabelRequirement.Operator.NOT_IN) {
                values.add(VALUES[random.nextInt(VALUES.length)]);
                if (random.nextBoolean()) {
                    values.add(VALUES[random.nextInt(VALUES.length)]);
                }
            }
            expressions.add(new LabelRequirement(KEYS[random.nextInt(KEYS.length)], op, values.stream().distinct().toList()));
        }
        return new LabelSelector(random.nextInt(3) == 0 ? labels(1) : Map.of(), expressions);
    }

    private NetworkPolicy policy(int i) {
        String namespace = "ns" + random.nextInt(namespaces.size());
        List<PolicyRule> ingress = rules();
        List<PolicyRule> egress = rules();
        boolean typesGiven = random.nextBoolean();
        return NetworkPolicy.of(new NamespacedName(namespace, "pol" + i), random.nextInt(3) == 0 ? LabelSelector.EVERYTHING
                : selector(), typesGiven, random.nextBoolean(), random.nextBoolean(), ingress, egress);
    }

    private List<PolicyRule> rules() {
        List<PolicyRule> out = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            List<PolicyPeer> peers = new ArrayList<>();
            int p = random.nextInt(3);
            for (int j = 0; j < p; j++) {
                peers.add(peer());
            }
            List<PolicyPort> ports = new ArrayList<>();
            int q = random.nextInt(3);
            for (int j = 0; j < q; j++) {
                ports.add(port());
            }
            out.add(new PolicyRule(peers, ports));
        }
        return out;
    }

    private PolicyPeer peer() {
        return switch (random.nextInt(4)) {
            case 0 -> new PolicyPeer.Pods(null, selector());
            case 1 -> new PolicyPeer.Pods(selector(), null);
            case 2 -> new PolicyPeer.Pods(selector(), selector());
            default -> ipBlock();
        };
    }

    private PolicyPeer ipBlock() {
        PodInfo around = pods.get(random.nextInt(pods.size()));
        IpAddress a = around.ips().get(random.nextInt(2));
        int bits = a.family().bits();
        int length = switch (random.nextInt(4)) {
            case 0 -> bits;
            case 1 -> bits - 8;
            case 2 -> bits == 32 ? 16 : 64;
            default -> random.nextInt(8) == 0 ? 0 : bits - 1 - random.nextInt(bits / 2);
        };
        Cidr cidr = Cidr.masked(a, length);
        List<Cidr> except = new ArrayList<>();
        if (length < bits && random.nextBoolean()) {
            PodInfo inside = pods.get(random.nextInt(pods.size()));
            IpAddress b = inside.ips().get(a.family() == IpFamily.IPV4 ? 0 : 1);
            int exceptLength = Math.min(bits, length + 1 + random.nextInt(bits - length));
            if (cidr.contains(b)) {
                except.add(Cidr.masked(b, exceptLength));
            }
        }
        return new PolicyPeer.IpBlock(cidr, except);
    }

    private PolicyPort port() {
        Protocol proto = Protocol.values()[random.nextInt(3)];
        return switch (random.nextInt(4)) {
            case 0 -> PolicyPort.all(proto);
            case 1 -> PolicyPort.number(proto, PORTS[random.nextInt(PORTS.length)]);
            case 2 -> {
                int first = PORTS[random.nextInt(PORTS.length)];
                yield PolicyPort.range(proto, first, first + random.nextInt(100));
            }
            default -> PolicyPort.named(proto, PORT_NAMES[random.nextInt(PORT_NAMES.length)]);
        };
    }

    /** Every pod address and the other addresses. */
    public List<IpAddress> addresses() {
        List<IpAddress> out = new ArrayList<>(others);
        for (PodInfo p : pods) {
            out.addAll(p.ips());
        }
        return out;
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
