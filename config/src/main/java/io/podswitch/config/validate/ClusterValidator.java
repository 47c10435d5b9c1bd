package io.podswitch.config.validate;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.KubernetesSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.NodeSpec;
import io.podswitch.config.load.Problems;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.ClusterSource;
import io.podswitch.config.model.KubernetesSettings;
import io.podswitch.config.model.MasqueradeConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.OverlayConfig;
import io.podswitch.config.model.ServiceConfig;
import io.podswitch.config.model.UplinkConfig;
import io.podswitch.config.model.policy.NetworkPolicyConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every rule over a {@link ClusterSpec}, reporting all problems, and builds the immutable
 * {@link ClusterConfig} with defaults and allocations when there are none.
 */
public final class ClusterValidator {

    /** The environment variable that names this node, as the Kubernetes downward API usually sets it. */
    public static final String NODE_NAME_ENV = "NODE_NAME";

    private final Problems problems;
    private final FamilyRules familyRules;

    public ClusterValidator(Problems problems) {
        this.problems = problems;
        this.familyRules = new FamilyRules(problems);
    }

    /** The configuration, or empty when {@code problems} holds at least one error (this run's or earlier). */
    public Optional<ClusterConfig> validate(ClusterSpec spec, Map<String, String> env) {
        Optional<List<IpFamily>> families = familyRules.ipFamilies(spec.ipFamilies());
        families.ifPresent(f -> {
            familyRules.perFamily(spec.podCidrs(), f, Cidr::family, "range", true);
            familyRules.perFamily(spec.serviceCidrs(), f, Cidr::family, "range", true);
            familyRules.perFamily(spec.nodeCidrs(), f, Cidr::family, "range", true);
        });
        familyRules.noMappedRanges(spec.podCidrs());
        familyRules.noMappedRanges(spec.serviceCidrs());
        familyRules.noMappedRanges(spec.nodeCidrs());
        ClusterRangeRules rangeRules = new ClusterRangeRules(problems);
        rangeRules.disjoint(spec);
        Map<IpFamily, Integer> maskSizes = families.map(f -> rangeRules.maskSizes(spec, f)).orElse(Map.of());

        NodeRules nodeRules = new NodeRules(problems, familyRules);
        nodeRules.check(spec, families);
        Map<IpFamily, List<Optional<Cidr>>> podCidrs = spec.fromKubernetes() ? Map.of()
                : families.map(f -> nodeRules.podCidrs(spec, f, maskSizes)).orElse(Map.of());
        Optional<String> thisNode = thisNode(spec, env);
        Optional<OverlayConfig> overlay = new OverlayRules(problems).check(spec, families);
        checkSource(spec);
        List<ServiceConfig> services = new ServiceRules(problems).check(spec, families);
        MasqueradeConfig masquerade = new MasqueradeRules(problems, familyRules).check(spec.masquerade(), families);
        NetworkPolicyConfig networkPolicy = new NetworkPolicyRules(problems).check(spec, families);

        if (!problems.isEmpty() || families.isEmpty() || overlay.isEmpty() || thisNode.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(build(spec, families.get(), maskSizes, podCidrs, thisNode.get(), overlay.get(), services,
                masquerade, networkPolicy));
    }

    /** {@code kubernetes:} only means something with {@code source: kubernetes}, and then the API owns the services. */
    private void checkSource(ClusterSpec spec) {
        if (!spec.fromKubernetes()) {
            spec.kubernetes().ifPresent(k -> problems.report(k.position(), k.path(),
                    "has no meaning unless source is kubernetes; add 'source: kubernetes' or remove it"));
            return;
        }
        if (spec.services().present()) {
            problems.report(spec.services().position(), spec.services().path(), "Services come from the API server "
                    + "with source: kubernetes; remove services: (or use source: file)");
        }
    }

    /** This node's name: {@code NODE_NAME} if set, else {@code node:}; it must name one of the nodes. */
    private Optional<String> thisNode(ClusterSpec spec, Map<String, String> env) {
        String fromEnv = env.get(NODE_NAME_ENV);
        Optional<Located<String>> fromFile = spec.node();
        String name;
        String source;
        if (fromEnv != null && !fromEnv.isBlank()) {
            name = fromEnv;
            source = NODE_NAME_ENV + "=" + fromEnv + (fromFile.isPresent() ? " (which overrides node: " + fromFile.get().value() + ")" : "");
        } else if (fromFile.isPresent()) {
            name = fromFile.get().value();
            source = name;
        } else {
            problems.report(spec.position(), "node", "is missing; name this node with node: or the " + NODE_NAME_ENV
                    + " environment variable");
            return Optional.empty();
        }
        if (spec.fromKubernetes()) {
            // The node list comes from the API server: the name only has to be one Kubernetes accepts.
            if (NodeRules.validName(name)) {
                return Optional.of(name);
            }
            String message = source + " is not a valid Kubernetes node name (lower-case letters, digits, '-' and '.')";
            if (fromFile.isPresent() && fromEnv == null) {
                problems.report(fromFile.get(), message);
            } else {
                problems.report(spec.position(), "node", message);
            }
            return Optional.empty();
        }
        List<String> names = spec.nodes().items().stream().map(Located::value)
                .flatMap(n -> n.name().stream()).map(Located::value).distinct().toList();
        if (!names.contains(name) && spec.nodes().complete()) {
            String message = source + " is not one of the nodes (" + String.join(", ", names) + ")";
            if (fromFile.isPresent()) {
                problems.report(fromFile.get(), message);
            } else {
                problems.report(spec.position(), "node", message);
            }
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private static ClusterConfig build(ClusterSpec spec, List<IpFamily> families, Map<IpFamily, Integer> maskSizes,
                                       Map<IpFamily, List<Optional<Cidr>>> podCidrs, String thisNode,
                                       OverlayConfig overlay, List<ServiceConfig> services, MasqueradeConfig masquerade,
                                       NetworkPolicyConfig networkPolicy) {
        List<NodeConfig> nodes = new ArrayList<>();
        Map<String, UplinkConfig> overrides = new HashMap<>();
        for (Located<NodeSpec> located : spec.nodes().items()) {
            NodeSpec node = located.value();
            UplinkConfig uplink = UplinkRules.build(node.uplink().over(spec.uplink()));
            if (spec.fromKubernetes()) {
                overrides.put(node.name().orElseThrow().value(), uplink);
                continue;
            }
            List<Cidr> cidrs = new ArrayList<>();
            for (IpFamily family : families) {
                cidrs.add(podCidrs.get(family).get(node.index()).orElseThrow());
            }
            nodes.add(new NodeConfig(node.name().orElseThrow().value(),
                    inFamilyOrder(node.addresses().items().stream().map(Located::value).toList(), families, a -> a.family()),
                    cidrs,
                    node.podCidrs().isEmpty(),
                    uplink));
        }
        ClusterSource source = spec.fromKubernetes() ? ClusterSource.KUBERNETES : ClusterSource.FILE;
        KubernetesSettings kubernetes = new KubernetesSettings(
                spec.kubernetes().flatMap(KubernetesSpec::kubeconfig).map(Located::value));
        return new ClusterConfig(source, kubernetes, families,
                spec.podCidrs().items().stream().map(Located::value).toList(),
                spec.serviceCidrs().items().stream().map(Located::value).toList(),
                spec.nodeCidrs().items().stream().map(Located::value).toList(),
                new EnumMap<>(maskSizes), thisNode, overlay, UplinkRules.build(spec.uplink()), overrides, nodes, services,
                masquerade, networkPolicy);
    }

    private static <T> List<T> inFamilyOrder(List<T> values, List<IpFamily> families, java.util.function.Function<T, IpFamily> familyOf) {
        return families.stream().map(f -> values.stream().filter(v -> familyOf.apply(v) == f).findFirst().orElseThrow()).toList();
    }
}
