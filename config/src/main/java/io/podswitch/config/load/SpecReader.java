package io.podswitch.config.load;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterSource;
import io.podswitch.config.model.ExternalTrafficPolicy;
import io.podswitch.config.model.InternalTrafficPolicy;
import io.podswitch.config.model.OverlayMode;
import io.podswitch.config.model.Protocol;
import io.podswitch.config.model.SessionAffinity;
import io.podswitch.config.model.UplinkAttach;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the YAML tree into a {@link ClusterSpec}: checks keys and types, parses addresses and CIDRs, and
 * reports each problem where it is. It does not judge how values relate; that is the validator's job.
 */
public final class SpecReader {

    private static final Map<String, IpFamily> FAMILIES = namesOf(IpFamily.values(), IpFamily::displayName);
    private static final Map<String, OverlayMode> MODES = namesOf(OverlayMode.values(), OverlayMode::configName);
    private static final Map<String, ClusterSource> SOURCES = namesOf(ClusterSource.values(), ClusterSource::configName);
    private static final Map<String, UplinkAttach> ATTACHES = namesOf(UplinkAttach.values(), UplinkAttach::configName);
    private static final Map<String, Protocol> PROTOCOLS = namesOf(Protocol.values(), Protocol::name);
    private static final Map<String, SessionAffinity> AFFINITIES = namesOf(SessionAffinity.values(), SessionAffinity::configName);
    private static final Map<String, ExternalTrafficPolicy> POLICIES =
            namesOf(ExternalTrafficPolicy.values(), ExternalTrafficPolicy::configName);
    private static final Map<String, InternalTrafficPolicy> INTERNAL_POLICIES =
            namesOf(InternalTrafficPolicy.values(), InternalTrafficPolicy::configName);

    private final NodeReader reader;

    public SpecReader(Problems problems) {
        this.reader = new NodeReader(problems);
    }

    public Optional<ClusterSpec> read(Node root) {
        Optional<Fields> maybeFields = reader.fields(root, "", ClusterSpec.KEYS);
        if (maybeFields.isEmpty()) {
            return Optional.empty();
        }
        Fields top = maybeFields.get();
        return Optional.of(new ClusterSpec(
                top.position(),
                top.get("source").flatMap(n -> reader.choice(n, "source", SOURCES)),
                top.get("kubernetes").flatMap(n -> reader.fields(n, "kubernetes", KubernetesSpec.KEYS))
                        .map(f -> new KubernetesSpec(f.position(), f.path(), string(f, "kubeconfig"))),
                reader.list(top.get("ipFamilies"), top.position(), "ipFamilies", (n, p) -> reader.choice(n, p, FAMILIES)),
                cidrs(top, "podCIDRs"),
                cidrs(top, "serviceCIDRs"),
                cidrs(top, "nodeCIDRs"),
                maskSizes(top),
                top.get("node").flatMap(n -> reader.string(n, "node")),
                overlay(top),
                uplink(top),
                reader.list(top.get("nodes"), top.position(), "nodes", this::node),
                reader.list(top.get("services"), top.position(), "services", this::service),
                MasqueradeSpec.read(top, reader),
                new NetworkPolicyReader(reader).read(top.get("networkPolicy"), top.position())));
    }

    private LocatedList<Cidr> cidrs(Fields fields, String key) {
        return reader.list(fields.get(key), fields.position(), fields.pathOf(key), (n, p) -> reader.parsed(n, p, Cidr::parse));
    }

    private LocatedList<IpAddress> addresses(Fields fields, String key) {
        return reader.list(fields.get(key), fields.position(), fields.pathOf(key), (n, p) -> reader.parsed(n, p, IpAddress::parse));
    }

    private Map<IpFamily, Located<Integer>> maskSizes(Fields top) {
        Map<IpFamily, Located<Integer>> sizes = new EnumMap<>(IpFamily.class);
        top.get("nodeCIDRMaskSizes")
                .flatMap(n -> reader.fields(n, "nodeCIDRMaskSizes", List.copyOf(FAMILIES.keySet())))
                .ifPresent(block -> {
                    for (IpFamily family : IpFamily.values()) {
                        String key = family.displayName();
                        block.get(key).flatMap(n -> reader.integer(n, block.pathOf(key))).ifPresent(v -> sizes.put(family, v));
                    }
                });
        return sizes;
    }

    private OverlaySpec overlay(Fields top) {
        Optional<Fields> block = top.get("overlay").flatMap(n -> reader.fields(n, "overlay", OverlaySpec.KEYS));
        if (block.isEmpty()) {
            return new OverlaySpec(top.position(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty());
        }
        Fields f = block.get();
        return new OverlaySpec(f.position(),
                f.get("mode").flatMap(n -> reader.choice(n, f.pathOf("mode"), MODES)),
                integer(f, "vni"),
                integer(f, "udpPort"),
                integer(f, "podMTU"),
                f.get("underlayFamily").flatMap(n -> reader.choice(n, f.pathOf("underlayFamily"), FAMILIES)));
    }

    private Optional<Located<NodeSpec>> node(Node node, String path) {
        int index = indexOf(path);
        return reader.fields(node, path, NodeSpec.KEYS).map(f -> {
            NodeSpec spec = new NodeSpec(index, f.position(), path,
                    string(f, "name"),
                    addresses(f, "addresses"),
                    cidrs(f, "podCIDRs"),
                    uplink(f));
            return new Located<>(spec, f.position(), path);
        });
    }

    /** The {@code uplink:} block of a mapping (the top level's default or a node's override). */
    private UplinkSpec uplink(Fields parent) {
        Optional<Fields> block = parent.get("uplink").flatMap(n -> reader.fields(n, parent.pathOf("uplink"), UplinkSpec.KEYS));
        if (block.isEmpty()) {
            return UplinkSpec.absent();
        }
        Fields u = block.get();
        return new UplinkSpec(string(u, "interface"), integer(u, "mtu"),
                u.get("attach").flatMap(n -> reader.choice(n, u.pathOf("attach"), ATTACHES)));
    }

    private Optional<Located<ServiceSpec>> service(Node node, String path) {
        return reader.fields(node, path, ServiceSpec.KEYS).map(f -> {
            ServiceSpec spec = new ServiceSpec(f.position(), path,
                    string(f, "name"),
                    addresses(f, "vips"),
                    reader.list(f.get("ports"), f.position(), f.pathOf("ports"), this::servicePort),
                    reader.list(f.get("backends"), f.position(), f.pathOf("backends"), this::backend),
                    f.get("sessionAffinity").flatMap(n -> reader.choice(n, f.pathOf("sessionAffinity"), AFFINITIES)),
                    integer(f, "sessionAffinityTimeoutSeconds"),
                    f.get("externalTrafficPolicy").flatMap(n -> reader.choice(n, f.pathOf("externalTrafficPolicy"), POLICIES)),
                    addresses(f, "externalIPs"),
                    f.get("internalTrafficPolicy").flatMap(n -> reader.choice(n, f.pathOf("internalTrafficPolicy"),
                            INTERNAL_POLICIES)));
            return new Located<>(spec, f.position(), path);
        });
    }

    private Optional<Located<ServicePortSpec>> servicePort(Node node, String path) {
        return reader.fields(node, path, ServicePortSpec.KEYS).map(f -> new Located<>(new ServicePortSpec(f.position(), path,
                string(f, "name"),
                f.get("protocol").flatMap(n -> reader.choice(n, f.pathOf("protocol"), PROTOCOLS)),
                integer(f, "port"),
                integer(f, "targetPort"),
                integer(f, "nodePort")), f.position(), path));
    }

    private Optional<Located<BackendSpec>> backend(Node node, String path) {
        return reader.fields(node, path, BackendSpec.KEYS).map(f -> new Located<>(new BackendSpec(f.position(), path,
                f.get("address").flatMap(n -> reader.parsed(n, f.pathOf("address"), IpAddress::parse)),
                integer(f, "port"),
                integer(f, "weight"),
                f.get("ready").flatMap(n -> reader.bool(n, f.pathOf("ready"))),
                f.get("terminating").flatMap(n -> reader.bool(n, f.pathOf("terminating")))), f.position(), path));
    }

    private Optional<Located<String>> string(Fields f, String key) {
        return f.get(key).flatMap(n -> reader.string(n, f.pathOf(key)));
    }

    private Optional<Located<Integer>> integer(Fields f, String key) {
        return f.get(key).flatMap(n -> reader.integer(n, f.pathOf(key)));
    }

    private static int indexOf(String itemPath) {
        return Integer.parseInt(itemPath.substring(itemPath.lastIndexOf('[') + 1, itemPath.length() - 1));
    }

    /** Spelling in the file → value, in declaration order (the order messages list them in). */
    private static <E> Map<String, E> namesOf(E[] values, Function<E, String> name) {
        Map<String, E> names = new LinkedHashMap<>();
        for (E value : values) {
            names.put(name.apply(value), value);
        }
        return Collections.unmodifiableMap(names);
    }
}
