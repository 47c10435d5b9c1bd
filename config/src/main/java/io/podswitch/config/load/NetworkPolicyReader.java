package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the {@code networkPolicy:} section: namespaces and pods with their labels, and NetworkPolicy
 * objects written as Kubernetes manifests ({@code apiVersion}/{@code kind} optional; {@code kubectl get -o
 * yaml} output loads as is: the server-set metadata and {@code status} are accepted and ignored). Each item
 * is checked as the API server would check it (label syntax, selector operators, peers, ports and
 * {@code endPort}, CIDRs and excepts), with the problem reported where it is written.
 */
public final class NetworkPolicyReader {

    public static final List<String> SECTION_KEYS = List.of("namespaces", "pods", "policies");
    static final List<String> NAMESPACE_KEYS = List.of("name", "labels");
    static final List<String> POD_KEYS = List.of("namespace", "name", "labels", "ips", "node", "hostNetwork", "ports");
    static final List<String> CONTAINER_PORT_KEYS = List.of("name", "containerPort", "protocol");
    static final List<String> POLICY_KEYS = List.of("apiVersion", "kind", "metadata", "spec", "status");
    static final List<String> METADATA_KEYS = List.of("name", "namespace", "labels", "annotations", "uid",
            "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink");
    static final List<String> SPEC_KEYS = List.of("podSelector", "policyTypes", "ingress", "egress");
    static final List<String> SELECTOR_KEYS = List.of("matchLabels", "matchExpressions");
    static final List<String> REQUIREMENT_KEYS = List.of("key", "operator", "values");
    static final List<String> INGRESS_RULE_KEYS = List.of("from", "ports");
    static final List<String> EGRESS_RULE_KEYS = List.of("to", "ports");
    static final List<String> PEER_KEYS = List.of("podSelector", "namespaceSelector", "ipBlock");
    static final List<String> IP_BLOCK_KEYS = List.of("cidr", "except");
    static final List<String> PORT_KEYS = List.of("protocol", "port", "endPort");

    /** The namespace of a pod or policy that names none (kubectl's default). */
    public static final String DEFAULT_NAMESPACE = "default";

    /** RFC 1123 label: namespace names. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** RFC 1123 subdomain: pod and policy names. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** A label name, and the name part of a qualified key: 63 characters, alphanumeric at both ends. */
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    /** IANA service name (a named port): lowercase letters, digits and single hyphens, at least one letter. */
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9]|-(?=[a-z0-9]))*");
    private static final Map<String, Protocol> PROTOCOLS = Map.of("TCP", Protocol.TCP, "UDP", Protocol.UDP,
            "SCTP", Protocol.SCTP);
    private static final Map<String, LabelRequirement.Operator> OPERATORS = operators();
    private static final Map<String, Boolean> POLICY_TYPES = Map.of("Ingress", true, "Egress", false);

    private final NodeReader reader;
    private final Problems problems;

    public NetworkPolicyReader(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** The section as written; an absent section is empty. */
    public NetworkPolicySpec read(Optional<Node> section, SourcePosition parent) {
        Optional<Fields> fields = section.flatMap(n -> reader.fields(n, "networkPolicy", SECTION_KEYS));
        if (fields.isEmpty()) {
            return NetworkPolicySpec.absent(parent);
        }
        Fields f = fields.get();
        return new NetworkPolicySpec(f.position(),
                reader.list(f.get("namespaces"), f.position(), f.pathOf("namespaces"), this::namespace),
                reader.list(f.get("pods"), f.position(), f.pathOf("pods"), this::pod),
                reader.list(f.get("policies"), f.position(), f.pathOf("policies"), this::policy));
    }

    // ---------------------------------------------------------------- namespaces and pods

    private Optional<Located<NamespaceInfo>> namespace(Node node, String path) {
        return reader.fields(node, path, NAMESPACE_KEYS).flatMap(f -> {
            Optional<String> name = name(f, "name", DNS_LABEL, 63, "a namespace name");
            Optional<Map<String, String>> labels = labels(f, "labels");
            if (name.isEmpty() || labels.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Located<>(NamespaceInfo.of(name.get(), labels.get()), f.position(), path));
        });
    }

    private Optional<Located<PodInfo>> pod(Node node, String path) {
        return reader.fields(node, path, POD_KEYS).flatMap(f -> {
            String namespace = optionalName(f, "namespace", DNS_LABEL, 63, "a namespace name");
            Optional<String> name = name(f, "name", DNS_SUBDOMAIN, 253, "a pod name");
            Optional<Map<String, String>> labels = labels(f, "labels");
            LocatedList<IpAddress> ips = reader.list(f.get("ips"), f.position(), f.pathOf("ips"),
                    (n, p) -> reader.parsed(n, p, IpAddress::parse));
            String nodeName = f.get("node").flatMap(n -> reader.string(n, f.pathOf("node"))).map(Located::value).orElse("");
            boolean hostNetwork = f.get("hostNetwork").flatMap(n -> reader.bool(n, f.pathOf("hostNetwork")))
                    .map(Located::value).orElse(false);
            LocatedList<ContainerPort> ports = reader.list(f.get("ports"), f.position(), f.pathOf("ports"), this::containerPort);
            if (namespace == null || name.isEmpty() || labels.isEmpty() || !ips.complete() || !ports.complete()) {
                return Optional.empty();
            }
            PodInfo pod = new PodInfo(new NamespacedName(namespace, name.get()), labels.get(), values(ips), nodeName,
                    hostNetwork, values(ports));
            return Optional.of(new Located<>(pod, f.position(), path));
        });
    }

    private Optional<Located<ContainerPort>> containerPort(Node node, String path) {
        return reader.fields(node, path, CONTAINER_PORT_KEYS).flatMap(f -> {
            Optional<String> name = name(f, "name", PORT_NAME, 15, "a port name (IANA service name: up to 15 "
                    + "lowercase letters, digits and single hyphens)");
            name.filter(n -> n.chars().noneMatch(Character::isLetter)).ifPresent(n ->
                    problems.report(f.position(), f.pathOf("name"), "'" + n + "' needs at least one letter"));
            Optional<Located<Integer>> port = portNumber(f, "containerPort", true);
            Protocol protocol = protocol(f);
            if (name.isEmpty() || port.isEmpty() || protocol == null || name.get().chars().noneMatch(Character::isLetter)) {
                return Optional.empty();
            }
            return Optional.of(new Located<>(new ContainerPort(name.get(), protocol, port.get().value()), f.position(), path));
        });
    }

    // ---------------------------------------------------------------- policies

    private Optional<Located<NetworkPolicy>> policy(Node node, String path) {
        return reader.fields(node, path, POLICY_KEYS).flatMap(f -> {
            f.get("apiVersion").flatMap(n -> reader.string(n, f.pathOf("apiVersion")))
                    .filter(v -> !v.value().equals("networking.k8s.io/v1"))
                    .ifPresent(v -> problems.report(v, "'" + v.value() + "' is not networking.k8s.io/v1"));
            f.get("kind").flatMap(n -> reader.string(n, f.pathOf("kind")))
                    .filter(v -> !v.value().equals("NetworkPolicy"))
                    .ifPresent(v -> problems.report(v, "'" + v.value() + "' is not NetworkPolicy"));
            Optional<Fields> metadata = required(f, "metadata").flatMap(n -> reader.fields(n, f.pathOf("metadata"), METADATA_KEYS));
            Optional<String> name = metadata.flatMap(m -> name(m, "name", DNS_SUBDOMAIN, 253, "a policy name"));
            String namespace = metadata.map(m -> optionalName(m, "namespace", DNS_LABEL, 63, "a namespace name")).orElse(null);
            Optional<Fields> spec = required(f, "spec").flatMap(n -> reader.fields(n, f.pathOf("spec"), SPEC_KEYS));
            if (spec.isEmpty()) {
                return Optional.empty();
            }
            Fields s = spec.get();
            // podSelector is required in the API; an absent one is read as {} (what kubectl sends for it).
            Optional<LabelSelector> podSelector = s.get("podSelector").isEmpty() ? Optional.of(LabelSelector.EVERYTHING)
                    : selector(s.get("podSelector").get(), s.pathOf("podSelector"));
            LocatedList<Boolean> types = reader.list(s.get("policyTypes"), s.position(), s.pathOf("policyTypes"),
                    (n, p) -> reader.choice(n, p, POLICY_TYPES));
            LocatedList<PolicyRule> ingress = reader.list(s.get("ingress"), s.position(), s.pathOf("ingress"),
                    (n, p) -> rule(n, p, true));
            LocatedList<PolicyRule> egress = reader.list(s.get("egress"), s.position(), s.pathOf("egress"),
                    (n, p) -> rule(n, p, false));
            boolean typesGiven = types.present() && !types.isEmpty();
            List<Boolean> typeValues = values(types);
            if (name.isEmpty() || namespace == null || podSelector.isEmpty() || !types.complete() || !ingress.complete()
                    || !egress.complete()) {
                return Optional.empty();
            }
            NetworkPolicy policy = NetworkPolicy.of(new NamespacedName(namespace, name.get()), podSelector.get(),
                    typesGiven, typeValues.contains(true), typeValues.contains(false), values(ingress), values(egress));
            return Optional.of(new Located<>(policy, f.position(), path));
        });
    }

    private Optional<Located<PolicyRule>> rule(Node node, String path, boolean ingress) {
        String peersKey = ingress ? "from" : "to";
        return reader.fields(node, path, ingress ? INGRESS_RULE_KEYS : EGRESS_RULE_KEYS).flatMap(f -> {
            LocatedList<PolicyPeer> peers = reader.list(f.get(peersKey), f.position(), f.pathOf(peersKey), this::peer);
            LocatedList<PolicyPort> ports = reader.list(f.get("ports"), f.position(), f.pathOf("ports"), this::port);
            if (!peers.complete() || !ports.complete()) {
                return Optional.empty();
            }
            return Optional.of(new Located<>(new PolicyRule(values(peers), values(ports)), f.position(), path));
        });
    }

    private Optional<Located<PolicyPeer>> peer(Node node, String path) {
        return reader.fields(node, path, PEER_KEYS).flatMap(f -> {
            Optional<Node> pods = f.get("podSelector");
            Optional<Node> namespaces = f.get("namespaceSelector");
            Optional<Node> block = f.get("ipBlock");
            if (block.isPresent()) {
                if (pods.isPresent() || namespaces.isPresent()) {
                    problems.report(f.position(), path, "ipBlock cannot be combined with podSelector or namespaceSelector "
                            + "in one peer; write them as two peers");
                    return Optional.empty();
                }
                return ipBlock(block.get(), f.pathOf("ipBlock")).map(b -> new Located<>(b, f.position(), path));
            }
            if (pods.isEmpty() && namespaces.isEmpty()) {
                problems.report(f.position(), path, "a peer needs podSelector, namespaceSelector or ipBlock");
                return Optional.empty();
            }
            Optional<LabelSelector> podSelector = pods.flatMap(n -> selector(n, f.pathOf("podSelector")));
            Optional<LabelSelector> namespaceSelector = namespaces.flatMap(n -> selector(n, f.pathOf("namespaceSelector")));
            if (pods.isPresent() != podSelector.isPresent() || namespaces.isPresent() != namespaceSelector.isPresent()) {
                return Optional.empty();
            }
            return Optional.of(new Located<>(new PolicyPeer.Pods(namespaceSelector.orElse(null), podSelector.orElse(null)),
                    f.position(), path));
        });
    }

    private Optional<PolicyPeer.IpBlock> ipBlock(Node node, String path) {
        return reader.fields(node, path, IP_BLOCK_KEYS).flatMap(f -> {
            Optional<Located<Cidr>> cidr = required(f, "cidr").flatMap(n -> reader.parsed(n, f.pathOf("cidr"), Cidr::parse));
            LocatedList<Cidr> except = reader.list(f.get("except"), f.position(), f.pathOf("except"),
                    (n, p) -> reader.parsed(n, p, Cidr::parse));
            if (cidr.isEmpty() || !except.complete()) {
                return Optional.empty();
            }
            boolean ok = true;
            for (Located<Cidr> e : except.items()) {
                Cidr c = cidr.get().value();
                if (e.value().family() != c.family() || !c.contains(e.value()) || e.value().prefixLength() == c.prefixLength()) {
                    problems.report(e, e.value() + " is not strictly inside the cidr " + c);
                    ok = false;
                }
            }
            return ok ? Optional.of(new PolicyPeer.IpBlock(cidr.get().value(), values(except))) : Optional.empty();
        });
    }

    private Optional<Located<PolicyPort>> port(Node node, String path) {
        return reader.fields(node, path, PORT_KEYS).flatMap(f -> {
            Protocol protocol = protocol(f);
            Optional<Node> portNode = f.get("port");
            Optional<Located<Integer>> endPort = portNumber(f, "endPort", false);
            if (protocol == null) {
                return Optional.empty();
            }
            if (portNode.isEmpty()) {
                if (endPort.isPresent()) {
                    problems.report(endPort.get(), "endPort needs a numeric port");
                    return Optional.empty();
                }
                return Optional.of(new Located<>(PolicyPort.all(protocol), f.position(), path));
            }
            Node p = portNode.get();
            if (p instanceof ScalarNode scalar && Tag.STR.equals(p.getTag())) {
                String name = scalar.getValue();
                if (!PORT_NAME.matcher(name).matches() || name.length() > 15 || name.chars().noneMatch(Character::isLetter)) {
                    problems.report(SourcePosition.of(p), f.pathOf("port"), "'" + name + "' is neither a port number "
                            + "nor a port name (IANA service name: up to 15 lowercase letters, digits and single hyphens, "
                            + "at least one letter)");
                    return Optional.empty();
                }
                if (endPort.isPresent()) {
                    problems.report(endPort.get(), "endPort needs a numeric port, not the name " + name);
                    return Optional.empty();
                }
                return Optional.of(new Located<>(PolicyPort.named(protocol, name), f.position(), path));
            }
            Optional<Located<Integer>> number = portNumber(f, "port", false);
            if (number.isEmpty() || (f.get("endPort").isPresent() && endPort.isEmpty())) {
                return Optional.empty();
            }
            int first = number.get().value();
            if (endPort.isPresent() && endPort.get().value() < first) {
                problems.report(endPort.get(), "endPort " + endPort.get().value() + " is below port " + first);
                return Optional.empty();
            }
            return Optional.of(new Located<>(endPort.isPresent() ? PolicyPort.range(protocol, first, endPort.get().value())
                    : PolicyPort.number(protocol, first), f.position(), path));
        });
    }

    // ---------------------------------------------------------------- selectors and labels

    private Optional<LabelSelector> selector(Node node, String path) {
        return reader.fields(node, path, SELECTOR_KEYS).flatMap(f -> {
            Optional<Map<String, String>> labels = labels(f, "matchLabels");
            LocatedList<LabelRequirement> expressions = reader.list(f.get("matchExpressions"), f.position(),
                    f.pathOf("matchExpressions"), this::requirement);
            if (labels.isEmpty() || !expressions.complete()) {
                return Optional.empty();
            }
            return Optional.of(new LabelSelector(labels.get(), values(expressions)));
        });
    }

    private Optional<Located<LabelRequirement>> requirement(Node node, String path) {
        return reader.fields(node, path, REQUIREMENT_KEYS).flatMap(f -> {
            Optional<Located<String>> key = required(f, "key").flatMap(n -> reader.string(n, f.pathOf("key")));
            key.ifPresent(this::checkLabelKey);
            Optional<Located<LabelRequirement.Operator>> operator = required(f, "operator")
                    .flatMap(n -> reader.choice(n, f.pathOf("operator"), OPERATORS));
            LocatedList<String> values = reader.list(f.get("values"), f.position(), f.pathOf("values"), this::labelValue);
            if (key.isEmpty() || operator.isEmpty() || !values.complete()) {
                return Optional.empty();
            }
            LabelRequirement.Operator op = operator.get().value();
            boolean needsValues = op == LabelRequirement.Operator.IN || op == LabelRequirement.Operator.NOT_IN;
            if (needsValues && values.isEmpty()) {
                problems.report(operator.get(), op.apiName() + " needs at least one value in values");
                return Optional.empty();
            }
            if (!needsValues && !values.isEmpty()) {
                problems.report(values.position(), values.path(), op.apiName() + " takes no values");
                return Optional.empty();
            }
            return Optional.of(new Located<>(new LabelRequirement(key.get().value(), op, values(values)), f.position(), path));
        });
    }

    /** A {@code key: value} mapping of labels; absent = none. Empty when a key or value is malformed (reported). */
    private Optional<Map<String, String>> labels(Fields f, String key) {
        Optional<Node> node = f.get(key);
        if (node.isEmpty()) {
            return Optional.of(Map.of());
        }
        String path = f.pathOf(key);
        if (!(node.get() instanceof MappingNode mapping)) {
            problems.report(SourcePosition.of(node.get()), path, "expected a mapping of labels (name: value) but found "
                    + NodeReader.describe(node.get()));
            return Optional.empty();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        boolean ok = true;
        for (NodeTuple t : mapping.getValue()) {
            Optional<Located<String>> name = reader.string(t.getKeyNode(), path);
            Optional<Located<String>> value = name.flatMap(n -> labelValue(t.getValueNode(), path + "." + n.value()));
            if (name.isEmpty() || value.isEmpty() || !checkLabelKey(name.get())) {
                ok = false;
            } else if (labels.put(name.get().value(), value.get().value()) != null) {
                problems.report(name.get(), "duplicate label '" + name.get().value() + "'");
                ok = false;
            }
        }
        return ok ? Optional.of(labels) : Optional.empty();
    }

    /** A label value: up to 63 characters of letters, digits, '-', '_' and '.', alphanumeric at the ends; may be empty. */
    private Optional<Located<String>> labelValue(Node node, String path) {
        if (node instanceof ScalarNode scalar && (Tag.NULL.equals(node.getTag()) || scalar.getValue().isEmpty())) {
            return Optional.of(new Located<>("", SourcePosition.of(node), path));
        }
        Optional<Located<String>> value = reader.string(node, path);
        if (value.isPresent() && (value.get().value().length() > 63 || !LABEL_NAME.matcher(value.get().value()).matches())) {
            problems.report(value.get(), "'" + value.get().value() + "' is not a label value (up to 63 letters, digits, "
                    + "'-', '_' or '.', starting and ending with a letter or digit)");
            return Optional.empty();
        }
        return value;
    }

    /** A label key: an optional DNS-subdomain prefix and '/', then a name of up to 63 characters. */
    private boolean checkLabelKey(Located<String> key) {
        String k = key.value();
        int slash = k.lastIndexOf('/');
        String prefix = slash < 0 ? null : k.substring(0, slash);
        String name = slash < 0 ? k : k.substring(slash + 1);
        boolean ok = name.length() <= 63 && LABEL_NAME.matcher(name).matches()
                && (prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
        if (!ok) {
            problems.report(key, "'" + k + "' is not a label key ([prefix/]name: the name up to 63 letters, digits, "
                    + "'-', '_' or '.', the prefix a DNS subdomain)");
        }
        return ok;
    }

    // ---------------------------------------------------------------- small fields

    private Optional<String> name(Fields f, String key, Pattern pattern, int maxLength, String what) {
        Optional<Located<String>> value = required(f, key).flatMap(n -> reader.string(n, f.pathOf(key)));
        if (value.isPresent() && (value.get().value().length() > maxLength || !pattern.matcher(value.get().value()).matches())) {
            problems.report(value.get(), "'" + value.get().value() + "' is not " + what + " (lowercase letters, digits"
                    + (pattern == DNS_SUBDOMAIN ? ", '-' and '.'" : " and '-'") + ", at most " + maxLength + " characters)");
            return Optional.empty();
        }
        return value.map(Located::value);
    }

    /** An optional namespace-like name: {@link #DEFAULT_NAMESPACE} when absent, null when malformed (reported). */
    private String optionalName(Fields f, String key, Pattern pattern, int maxLength, String what) {
        if (f.get(key).isEmpty()) {
            return DEFAULT_NAMESPACE;
        }
        return name(f, key, pattern, maxLength, what).orElse(null);
    }

    private Optional<Node> required(Fields f, String key) {
        Optional<Node> node = f.get(key);
        if (node.isEmpty()) {
            problems.report(f.position(), f.pathOf(key), "is missing");
        }
        return node;
    }

    /** The {@code protocol} field: TCP when absent (the API's default); null when malformed (reported). */
    private Protocol protocol(Fields f) {
        if (f.get("protocol").isEmpty()) {
            return Protocol.TCP;
        }
        return f.get("protocol").flatMap(n -> reader.choice(n, f.pathOf("protocol"), PROTOCOLS)).map(Located::value).orElse(null);
    }

    private Optional<Located<Integer>> portNumber(Fields f, String key, boolean required) {
        Optional<Node> node = required ? required(f, key) : f.get(key);
        Optional<Located<Integer>> port = node.flatMap(n -> reader.integer(n, f.pathOf(key)));
        if (port.isPresent() && (port.get().value() < 1 || port.get().value() > 65535)) {
            problems.report(port.get(), port.get().value() + " is not a port (1..65535)");
            return Optional.empty();
        }
        return port;
    }

    private static <T> List<T> values(LocatedList<T> list) {
        List<T> out = new ArrayList<>(list.items().size());
        for (Located<T> item : list.items()) {
            out.add(item.value());
        }
        return out;
    }

    private static Map<String, LabelRequirement.Operator> operators() {
        Map<String, LabelRequirement.Operator> m = new LinkedHashMap<>();
        for (LabelRequirement.Operator op : LabelRequirement.Operator.values()) {
            m.put(op.apiName(), op);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
