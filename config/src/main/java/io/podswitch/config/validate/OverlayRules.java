package io.podswitch.config.validate;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.ClusterSpec;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.NodeSpec;
import io.podswitch.config.load.OverlaySpec;
import io.podswitch.config.load.Problems;
import io.podswitch.config.load.UplinkSpec;
import io.podswitch.config.model.OverlayConfig;
import io.podswitch.config.model.OverlayMode;
import io.podswitch.config.model.OverlayOverhead;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rules for {@code overlay:}: VNI and UDP port ranges, settings that mean nothing in direct mode, the
 * underlay family, and pod MTU plus encapsulation overhead fitting every node's uplink MTU. Produces the
 * effective overlay settings when they are valid.
 */
final class OverlayRules {

    static final int MAX_VNI = (1 << 24) - 1;
    static final int DEFAULT_VNI = 1;

    private final Problems problems;

    OverlayRules(Problems problems) {
        this.problems = problems;
    }

    Optional<OverlayConfig> check(ClusterSpec spec, Optional<List<IpFamily>> families) {
        OverlaySpec overlay = spec.overlay();
        OverlayMode mode = overlay.mode().map(Located::value).orElse(OverlayMode.VXLAN);
        boolean ok = true;
        if (mode.encapsulates()) {
            ok &= IntRange.check(overlay.vni(), 1, MAX_VNI, " (a VNI is 24 bits; 0 is reserved)", problems);
            ok &= IntRange.check(overlay.udpPort(), 1, 65535, "", problems);
        } else {
            for (Optional<Located<Integer>> meaningless : List.of(overlay.vni(), overlay.udpPort())) {
                if (meaningless.isPresent()) {
                    problems.report(meaningless.get(), "has no meaning when overlay.mode is direct (no encapsulation); remove it");
                    ok = false;
                }
            }
        }
        if (families.isEmpty()) {
            return Optional.empty();
        }
        IpFamily underlay = overlay.underlayFamily().map(Located::value).orElse(families.get().getFirst());
        if (overlay.underlayFamily().isPresent() && !families.get().contains(underlay)) {
            problems.report(overlay.underlayFamily().get(), underlay + " is not in ipFamilies; nodes have no " + underlay
                    + " addresses to tunnel between");
            return Optional.empty();
        }
        int overhead = OverlayOverhead.bytes(mode, underlay);
        String overheadText = mode.encapsulates() ? overhead + " bytes of " + mode.configName() + " over " + underlay + " overhead"
                : "0 bytes of overhead (direct mode)";
        int minimum = families.get().contains(IpFamily.IPV6) ? UplinkRules.MIN_MTU_IPV6 : UplinkRules.MIN_MTU_IPV4;
        List<Uplink> nodes = uplinks(spec);
        final int podMtu;
        if (overlay.podMtu().isPresent()) {
            Located<Integer> given = overlay.podMtu().get();
            podMtu = given.value();
            if (podMtu < minimum) {
                problems.report(given, "pod MTU " + podMtu + " is below " + minimum + ", the least "
                        + (minimum == UplinkRules.MIN_MTU_IPV6 ? "IPv6" : "IPv4") + " allows");
                ok = false;
            }
            // One error, at the podMTU, naming the tightest uplink and how many others are too small as well.
            List<Uplink> tooSmall = nodes.stream().filter(n -> podMtu + overhead > n.mtu()).sorted(
                    (a, b) -> Integer.compare(a.mtu(), b.mtu())).toList();
            if (!tooSmall.isEmpty()) {
                Uplink node = tooSmall.getFirst();
                int uplinkMtu = node.mtu();
                String others = tooSmall.size() == 1 ? "" : " (and " + (tooSmall.size() - 1) + " more node"
                        + (tooSmall.size() == 2 ? "" : "s") + ")";
                problems.report(given, "pod MTU " + podMtu + " + " + overheadText + " = " + (podMtu + overhead)
                        + " exceeds the uplink MTU " + uplinkMtu + " of " + node.label() + " (" + node.mtuPath()
                        + ")" + others + "; lower podMTU to " + (uplinkMtu - overhead) + " or raise the uplink MTU");
                ok = false;
            }
        } else {
            // Default: the largest pod MTU every node's uplink can carry after encapsulation.
            Optional<Uplink> smallest = nodes.stream().min((a, b) -> Integer.compare(a.mtu(), b.mtu()));
            int uplinkMtu = smallest.map(Uplink::mtu).orElse(UplinkRules.DEFAULT_MTU);
            podMtu = uplinkMtu - overhead;
            if (podMtu < minimum) {
                String where = smallest.map(n -> " of " + n.label()).orElse("");
                Located<Integer> at = smallest.flatMap(n -> n.uplink().mtu()).orElse(null);
                String message = "the uplink MTU " + uplinkMtu + where + " leaves a pod MTU of " + podMtu + " after " + overheadText
                        + ", below the " + minimum + " pods need; raise the uplink MTU";
                if (at != null) {
                    problems.report(at, message);
                } else {
                    problems.report(overlay.position(), "overlay.podMTU", message);
                }
                ok = false;
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        int vni = mode.encapsulates() ? overlay.vni().map(Located::value).orElse(DEFAULT_VNI) : 0;
        int udpPort = mode.encapsulates() ? overlay.udpPort().map(Located::value).orElse(mode.defaultUdpPort()) : 0;
        return Optional.of(new OverlayConfig(mode, vni, udpPort, podMtu, underlay));
    }

    /** An uplink the pod MTU must fit: a node's (its own keys over the cluster-wide default) or the default itself. */
    private record Uplink(String label, String path, UplinkSpec uplink) {
        int mtu() {
            return UplinkRules.mtuOf(uplink);
        }

        /** Where the MTU is written (or would be). */
        String mtuPath() {
            return uplink.mtu().map(Located::path).orElse(path + ".mtu");
        }
    }

    /**
     * Every uplink the file knows: each listed node's, and with {@code source: kubernetes} (nodes unknown
     * until the API server lists them) also the cluster-wide default that every unlisted node uses.
     */
    private static List<Uplink> uplinks(ClusterSpec spec) {
        List<Uplink> out = new ArrayList<>();
        if (spec.fromKubernetes()) {
            out.add(new Uplink("the cluster-wide uplink", "uplink", spec.uplink()));
        }
        for (Located<NodeSpec> n : spec.nodes().items()) {
            out.add(new Uplink(n.value().label(), n.value().path() + ".uplink", n.value().uplink().over(spec.uplink())));
        }
        return out;
    }
}
