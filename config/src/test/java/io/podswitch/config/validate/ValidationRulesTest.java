package io.podswitch.config.validate;

import static io.podswitch.config.validate.ConfigFixture.BASE;
import static io.podswitch.config.validate.ConfigFixture.assertError;
import static io.podswitch.config.validate.ConfigFixture.errors;
import static io.podswitch.config.validate.ConfigFixture.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One test per validation rule: a broken file, the message, the field path and the line. */
class ValidationRulesTest {

    private static final String FIRST_LINE = "ipFamilies: [IPv4, IPv6]";
    private static final String MARKED_FIRST_LINE = "ipFamilies: [IPv4, IPv6]  # <-";

    @Test
    void baseFixtureIsValid() throws Exception {
        assertEquals("node-a", ConfigFixture.load(BASE).thisNode().name());
    }

    // --- YAML level ---

    @Test
    void yamlSyntaxErrorIsOneLocatedErrorWithoutStackTrace() {
        String yaml = replace("podCIDRs:", "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"  # <-");
        List<ConfigError> errors = errors(yaml, Map.of());
        assertEquals(1, errors.size());
        ConfigError error = errors.getFirst();
        assertEquals("", error.path());
        assertTrue(error.message().startsWith("YAML syntax error: "), error.message());
        assertFalse(error.format().contains("Exception"), error.format());
        assertTrue(error.line() >= 2 && error.line() <= 3, error.format());
    }

    @Test
    void emptyFileIsReported() {
        List<ConfigError> errors = errors("# nothing here\n", Map.of());
        assertEquals("cluster.yaml:1:1: the file is empty; it needs at least ipFamilies, podCIDRs, serviceCIDRs, nodeCIDRs and nodes",
                errors.getFirst().format());
    }

    @Test
    void topLevelMustBeAMapping() {
        assertError("- a list  # <-\n", "", "expected a mapping (key: value lines) but found a list");
    }

    @Test
    void unknownKeySuggestsTheClosestKnownKey() {
        String yaml = replace("podCIDRs:", "podCidrs: [10.244.0.0/16, \"fd00:10:244::/56\"]  # <-");
        ConfigError error = assertError(yaml, "podCidrs", "unknown key 'podCidrs'; did you mean 'podCIDRs'?");
        assertEquals(1, error.column());
    }

    @Test
    void unknownNestedKeyIsReportedWithItsPath() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtuu: 1500}  # <-");
        assertError(yaml, "nodes[0].uplink.mtuu", "unknown key 'mtuu'; did you mean 'mtu'?");
    }

    @Test
    void unknownKeyWithoutCloseMatchListsTheKnownKeys() {
        String yaml = replace("  vni: 1", "  colour: blue  # <-");
        assertError(yaml, "overlay.colour", "unknown key 'colour'; known keys here: mode, vni, udpPort, podMTU, underlayFamily");
    }

    @Test
    void duplicateKeyIsReported() {
        String yaml = replace("  vni: 1", "  vni: 1\n  vni: 2  # <-");
        assertError(yaml, "overlay.vni", "duplicate key 'vni' (first given on line 8)");
    }

    @Test
    void aDuplicateOfAKeyGivenWithoutAValueIsReportedToo() {
        // the first 'vni' has a null value (absent as a field) and an unknown key lies between: still a duplicate,
        // of the first occurrence's line
        String yaml = replace("  vni: 1", "  vni:\n  vnii: 3\n  vni: 2  # <-");
        assertEquals(List.of("overlay.vnii: unknown key 'vnii'; did you mean 'vni'?",
                        "overlay.vni: duplicate key 'vni' (first given on line 8)"),
                errors(yaml, java.util.Map.of()).stream().map(e -> e.path() + ": " + e.message()).toList());
    }

    @Test
    void scalarWhereAListBelongsIsAWrongType() {
        String yaml = replace("serviceCIDRs:", "serviceCIDRs: 10.96.0.0/16  # <-");
        assertError(yaml, "serviceCIDRs", "expected a list but found '10.96.0.0/16'; write it as a list: [10.96.0.0/16]");
    }

    @Test
    void textWhereANumberBelongsIsAWrongType() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: big}  # <-");
        assertError(yaml, "nodes[0].uplink.mtu", "expected a whole number but found 'big'");
    }

    @Test
    void textWhereABooleanBelongsIsAWrongType() {
        String yaml = replace("- {address: 10.244.0.5}", "      - {address: 10.244.0.5, ready: maybe}  # <-");
        assertError(yaml, "services[0].backends[0].ready", "expected true or false but found 'maybe'");
    }

    @Test
    void mappingWhereAValueBelongsIsAWrongType() {
        String yaml = replace("node: node-a", "node: {name: node-a}  # <-");
        assertError(yaml, "node", "expected a text value but found a mapping");
    }

    // --- addresses and CIDRs ---

    @Test
    void malformedCidrIsReported() {
        String yaml = replace("podCIDRs:", "podCIDRs: [10.244.0.0/33, \"fd00:10:244::/56\"]  # <-");
        assertError(yaml, "podCIDRs[0]", "'10.244.0.0/33' is not a CIDR: an IPv4 prefix length is at most /32");
    }

    @Test
    void cidrWithoutPrefixLengthIsReported() {
        String yaml = replace("nodeCIDRs:", "nodeCIDRs: [192.168.100.0, \"fd00:192:168:100::/64\"]  # <-");
        assertError(yaml, "nodeCIDRs[0]", "'192.168.100.0' has no prefix length; write it as a CIDR like 10.0.0.0/16");
    }

    @Test
    void malformedAddressIsReported() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [192.168.100.300, \"fd00:192:168:100::12\"]  # <-");
        assertError(yaml, "nodes[1].addresses[0]", "'192.168.100.300' is not an IPv4 address: 300 is larger than 255");
    }

    @Test
    void leadingZeroInAddressIsReported() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [192.168.100.012, \"fd00:192:168:100::12\"]  # <-");
        assertError(yaml, "nodes[1].addresses[0]", "has a leading zero in '012'");
    }

    @Test
    void hostBitsSetAreReportedWithTheIntendedNetwork() {
        String yaml = replace("serviceCIDRs:", "serviceCIDRs: [10.96.0.1/16, \"fd00:10:96::/112\"]  # <-");
        ConfigError error = assertError(yaml, "serviceCIDRs[0]", "10.96.0.1/16 has host bits set; the network is 10.96.0.0/16");
        assertEquals(16, error.column());
    }

    @Test
    void zoneIdIsRejected() {
        String yaml = replace("addresses: [192.168.100.11", "    addresses: [192.168.100.11, \"fd00:192:168:100::11%eth0\"]  # <-");
        assertError(yaml, "nodes[0].addresses[1]", "has a zone id ('%eth0'); zone ids are not allowed here");
    }

    @Test
    void ipv4MappedAddressIsRejected() {
        String yaml = replace(BASE, "addresses: [192.168.100.11", "    addresses: [192.168.100.11, \"::ffff:192.168.100.11\"]  # <-");
        assertError(yaml, "nodes[0].addresses[1]", "::ffff:192.168.100.11 is an IPv4-mapped IPv6 address; write the IPv4 address "
                + "192.168.100.11 instead");
    }

    // --- families ---

    @Test
    void missingIpFamiliesIsReported() {
        String yaml = replace(FIRST_LINE, "");
        yaml = replace(yaml, "podCIDRs:", "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]  # <-");
        assertError(yaml, "ipFamilies", "is missing; write [IPv4], [IPv6], [IPv4, IPv6] or [IPv6, IPv4]");
    }

    @Test
    void unknownFamilyNameSuggestsTheRightSpelling() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [ipv4, IPv6]  # <-");
        assertError(yaml, "ipFamilies[0]", "'ipv4' is not one of IPv4, IPv6; did you mean IPv4?");
    }

    @Test
    void familyListedTwiceIsReported() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [IPv4, IPv4]  # <-");
        assertError(yaml, "ipFamilies[1]", "IPv4 is listed twice; list each family once");
    }

    @Test
    void familyListedWithoutARangeIsReported() {
        String yaml = replace("nodeCIDRs:", "nodeCIDRs: [192.168.100.0/24]  # <-");
        assertError(yaml, "nodeCIDRs", "has no IPv6 range but ipFamilies lists IPv6; give one range for each of IPv4, IPv6 (in that order)");
    }

    @Test
    void missingRangeListIsReported() {
        String yaml = replace(replace(FIRST_LINE, MARKED_FIRST_LINE), "serviceCIDRs:", "");
        assertError(yaml, "serviceCIDRs", "is missing; give one range for each of IPv4, IPv6 (in that order)");
    }

    @Test
    void rangeOfAnUnlistedFamilyIsReported() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [IPv4]");
        yaml = replace(yaml, "podCIDRs:", "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]  # <-");
        assertError(yaml, "podCIDRs[1]", "fd00:10:244::/56 is an IPv6 range but ipFamilies does not list IPv6");
    }

    @Test
    void secondRangeOfTheSameFamilyIsReported() {
        String yaml = replace("podCIDRs:", "podCIDRs: [10.244.0.0/16, 10.245.0.0/16]  # <-");
        assertError(yaml, "podCIDRs[1]", "10.245.0.0/16 is a second IPv4 range; give one range per family");
    }

    @Test
    void primaryFamilyOrderMustMatchIpFamilies() {
        String yaml = replace("serviceCIDRs:", "serviceCIDRs: [\"fd00:10:96::/112\", 10.96.0.0/16]  # <-");
        assertError(yaml, "serviceCIDRs[0]", "lists IPv6 first but the primary family (first in ipFamilies) is IPv4; "
                + "list entries in ipFamilies order");
    }

    @Test
    void nodeAddressOrderMustMatchIpFamilies() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [\"fd00:192:168:100::12\", 192.168.100.12]  # <-");
        assertError(yaml, "nodes[1].addresses[0]", "lists IPv6 first but the primary family");
    }

    // --- cluster ranges ---

    @Test
    void podAndServiceRangesMustNotOverlap() {
        String yaml = replace("serviceCIDRs:", "serviceCIDRs: [10.244.128.0/20, \"fd00:10:96::/112\"]  # <-");
        assertError(yaml, "serviceCIDRs[0]", "10.244.128.0/20 overlaps podCIDRs[0] 10.244.0.0/16; pod, service and node "
                + "ranges must not share addresses");
    }

    @Test
    void serviceAndNodeRangesMustNotOverlapInIpv6Too() {
        String yaml = replace("nodeCIDRs:", "nodeCIDRs: [192.168.100.0/24, \"fd00:10:96::/64\"]  # <-");
        assertError(yaml, "nodeCIDRs[1]", "fd00:10:96::/64 overlaps serviceCIDRs[1] fd00:10:96::/112");
    }

    @Test
    void podAndNodeRangesMustNotOverlap() {
        String yaml = replace("nodeCIDRs:", "nodeCIDRs: [10.0.0.0/8, \"fd00:192:168:100::/64\"]  # <-");
        assertError(yaml, "nodeCIDRs[0]", "10.0.0.0/8 overlaps podCIDRs[0] 10.244.0.0/16");
    }

    @Test
    void maskSizeForAnUnlistedFamilyIsReported() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [IPv4]");
        yaml = replace(yaml, "podCIDRs:", "podCIDRs: [10.244.0.0/16]");
        yaml = replace(yaml, "serviceCIDRs:", "serviceCIDRs: [10.96.0.0/16]");
        yaml = replace(yaml, "nodeCIDRs:", "nodeCIDRs: [192.168.100.0/24]\nnodeCIDRMaskSizes: {IPv4: 24, IPv6: 64}  # <-");
        yaml = yaml.replace(", \"fd00:192:168:100::11\"", "").replace(", \"fd00:192:168:100::12\"", "");
        assertError(yaml, "nodeCIDRMaskSizes.IPv6", "sets a mask size for IPv6 but ipFamilies does not list IPv6");
    }

    @Test
    void maskSizeShorterThanTheClusterRangeIsReported() {
        String yaml = replace("nodeCIDRs:", "nodeCIDRs: [192.168.100.0/24, \"fd00:192:168:100::/64\"]\nnodeCIDRMaskSizes: {IPv4: 12}  # <-");
        assertError(yaml, "nodeCIDRMaskSizes.IPv4", "node pod CIDR mask /12 must be between /16 (the cluster pod range "
                + "10.244.0.0/16) and /30");
    }

    @Test
    void maskSizeMoreThanSixteenBitsLongerIsReported() {
        String yaml = replace("podCIDRs:", "podCIDRs: [10.244.0.0/16, \"fd00:10::/32\"]  # <-");
        assertError(yaml, "podCIDRs[1]", "node pod CIDR mask /64 (the default for IPv6; set nodeCIDRMaskSizes.IPv6) is more "
                + "than 16 bits longer than the cluster pod range fd00:10::/32");
    }

    // --- nodes ---

    @Test
    void nodePodCidrOfTheWrongSizeIsReported() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500}\n    podCIDRs: [10.244.1.0/25, \"fd00:10:244:1::/64\"]  # <-");
        ConfigError error = assertError(yaml, "nodes[0].podCIDRs[0]", "has mask /25");
        assertEquals("cluster.yaml:13:16: nodes[0].podCIDRs[0]: 10.244.1.0/25 has mask /25 but node pod CIDRs must be /24 "
                + "(nodeCIDRMaskSizes.IPv4)", error.format());
    }

    @Test
    void nodePodCidrOutsideTheClusterRangeIsReported() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500}\n    podCIDRs: [10.245.1.0/24, \"fd00:10:244:1::/64\"]  # <-");
        assertError(yaml, "nodes[0].podCIDRs[0]", "10.245.1.0/24 is outside the cluster pod range podCIDRs[0] 10.244.0.0/16");
    }

    @Test
    void nodePodCidrsMustNotOverlapEachOther() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500}\n    podCIDRs: [10.244.7.0/24, \"fd00:10:244:7::/64\"]");
        yaml = replace(yaml, "addresses: [192.168.100.12",
                "    addresses: [192.168.100.12, \"fd00:192:168:100::12\"]\n    podCIDRs: [10.244.8.0/24, \"fd00:10:244:7::/64\"]  # <-");
        assertError(yaml, "nodes[1].podCIDRs[1]", "fd00:10:244:7::/64 overlaps nodes[0].podCIDRs[1] fd00:10:244:7::/64");
    }

    @Test
    void nodePodCidrsNeedEveryFamily() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500}\n    podCIDRs: [10.244.7.0/24]  # <-");
        assertError(yaml, "nodes[0].podCIDRs", "has no IPv6 range but ipFamilies lists IPv6");
    }

    @Test
    void duplicateNodeNamesAreReported() {
        String yaml = replace("- name: node-b", "  - name: node-a  # <-");
        assertError(yaml, "nodes[1].name", "node name node-a is already used by nodes[0]");
    }

    @Test
    void duplicateNodeAddressesAreReported() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [192.168.100.12, \"fd00:192:168:100::11\"]  # <-");
        assertError(yaml, "nodes[1].addresses[1]", "fd00:192:168:100::11 is already used by nodes[0].addresses[1]; "
                + "node addresses must be unique");
    }

    @Test
    void nodeAddressOutsideNodeCidrsIsReported() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [192.168.200.12, \"fd00:192:168:100::12\"]  # <-");
        assertError(yaml, "nodes[1].addresses[0]", "192.168.200.12 is outside nodeCIDRs[0] 192.168.100.0/24; node addresses "
                + "must be inside nodeCIDRs");
    }

    @Test
    void nodeWithoutAnAddressOfAFamilyIsReported() {
        String yaml = replace("addresses: [192.168.100.12", "    addresses: [192.168.100.12]  # <-");
        assertError(yaml, "nodes[1].addresses", "has no IPv6 address but ipFamilies lists IPv6");
    }

    @Test
    void invalidNodeNameIsReported() {
        String yaml = replace("- name: node-b", "  - name: Node_B  # <-");
        assertError(yaml, "nodes[1].name", "'Node_B' is not a valid node name");
    }

    @Test
    void nodeWithoutANameIsReported() {
        String yaml = BASE.replace("  - name: node-b\n    addresses: [192.168.100.12, \"fd00:192:168:100::12\"]\n",
                "  - addresses: [192.168.100.12, \"fd00:192:168:100::12\"]  # <-\n");
        assertError(yaml, "nodes[1].name", "is missing; every node needs its Kubernetes node name");
    }

    @Test
    void missingNodesAreReported() {
        String yaml = BASE.substring(0, BASE.indexOf("nodes:")).replace(FIRST_LINE, MARKED_FIRST_LINE);
        assertError(yaml, "nodes", "is missing; list at least this node");
    }

    @Test
    void clusterPodRangeTooSmallForTheNodesIsReported() {
        String yaml = replace("podCIDRs:", "podCIDRs: [10.244.0.0/24, \"fd00:10:244::/56\"]  # <-");
        assertError(yaml, "podCIDRs[0]", "10.244.0.0/24 has room for 1 node pod CIDRs of /24 but there are 2 nodes; "
                + "widen the range or lengthen nodeCIDRMaskSizes.IPv4");
    }

    @Test
    void uplinkMtuOutOfRangeIsReported() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1000}  # <-");
        assertError(yaml, "nodes[0].uplink.mtu", "1000 is outside 1280..65535 (IPv6 needs an MTU of at least 1280)");
    }

    @Test
    void invalidInterfaceNameIsReported() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: an-interface-name-too-long}  # <-");
        assertError(yaml, "nodes[0].uplink.interface", "is not a valid Linux interface name");
    }

    // --- this node ---

    @Test
    void thisNodeMustBeOneOfTheNodes() {
        String yaml = replace("node: node-a", "node: node-z  # <-");
        assertError(yaml, "node", "node-z is not one of the nodes (node-a, node-b)");
    }

    @Test
    void nodeNameFromTheEnvironmentMustBeOneOfTheNodes() {
        String yaml = replace("node: node-a", "node: node-a  # <-");
        assertError(yaml, Map.of("NODE_NAME", "node-q"), "node", "NODE_NAME=node-q (which overrides node: node-a) is not one of "
                + "the nodes (node-a, node-b)");
    }

    @Test
    void thisNodeMustBeNamedSomewhere() {
        String yaml = replace(replace(FIRST_LINE, MARKED_FIRST_LINE), "node: node-a", "");
        assertError(yaml, "node", "is missing; name this node with node: or the NODE_NAME environment variable");
    }

    // --- overlay ---

    @Test
    void vniMustFitTwentyFourBits() {
        String yaml = replace("  vni: 1", "  vni: 16777216  # <-");
        assertError(yaml, "overlay.vni", "16777216 is outside 1..16777215 (a VNI is 24 bits; 0 is reserved)");
    }

    @Test
    void udpPortMustBeAPort() {
        String yaml = replace("  vni: 1", "  udpPort: 70000  # <-");
        assertError(yaml, "overlay.udpPort", "70000 is outside 1..65535");
    }

    @Test
    void vniHasNoMeaningInDirectMode() {
        String yaml = replace(replace("  mode: vxlan", "  mode: direct"), "  vni: 1", "  vni: 5  # <-");
        assertError(yaml, "overlay.vni", "has no meaning when overlay.mode is direct (no encapsulation); remove it");
    }

    @Test
    void unknownOverlayModeSuggestsTheRightOne() {
        String yaml = replace("  mode: vxlan", "  mode: vxaln  # <-");
        assertError(yaml, "overlay.mode", "'vxaln' is not one of vxlan, geneve, direct; did you mean vxlan?");
    }

    @Test
    void underlayFamilyMustBeListed() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [IPv4]");
        yaml = yaml.replace(", \"fd00:10:244::/56\"", "").replace(", \"fd00:10:96::/112\"", "")
                .replace(", \"fd00:192:168:100::/64\"", "").replace(", \"fd00:192:168:100::11\"", "")
                .replace(", \"fd00:192:168:100::12\"", "");
        yaml = replace(yaml, "  vni: 1", "  underlayFamily: IPv6  # <-");
        assertError(yaml, "overlay.underlayFamily", "IPv6 is not in ipFamilies; nodes have no IPv6 addresses to tunnel between");
    }

    @Test
    void podMtuPlusVxlanOverIpv4OverheadMustFitTheUplink() {
        String yaml = replace("  vni: 1", "  podMTU: 1460  # <-");
        assertError(yaml, "overlay.podMTU", "pod MTU 1460 + 50 bytes of vxlan over IPv4 overhead = 1510 exceeds the uplink MTU "
                + "1500 of node-a (nodes[0].uplink.mtu) (and 1 more node); lower podMTU to 1450 or raise the uplink MTU");
    }

    @Test
    void podMtuPlusGeneveOverIpv6OverheadMustFitTheUplink() {
        String yaml = replace(replace("  mode: vxlan", "  mode: geneve\n  underlayFamily: IPv6"), "  vni: 1", "  podMTU: 1450  # <-");
        yaml = replace(yaml, "uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 9000}");
        assertError(yaml, "overlay.podMTU", "pod MTU 1450 + 70 bytes of geneve over IPv6 overhead = 1520 exceeds the uplink MTU "
                + "1500 of node-b (nodes[1].uplink.mtu); lower podMTU to 1430");
    }

    @Test
    void derivedPodMtuBelowTheIpv6MinimumIsReported() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1300}  # <-");
        assertError(yaml, "nodes[0].uplink.mtu", "the uplink MTU 1300 of node-a leaves a pod MTU of 1250 after 50 bytes of vxlan "
                + "over IPv4 overhead, below the 1280 pods need");
    }

    // --- services ---

    @Test
    void serviceVipOutsideServiceCidrsIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.97.0.10]  # <-");
        assertError(yaml, "services[0].vips[0]", "10.97.0.10 is outside serviceCIDRs[0] 10.96.0.0/16; service VIPs must be inside serviceCIDRs");
    }

    @Test
    void serviceVipOfAnUnlistedFamilyIsReported() {
        String yaml = replace(FIRST_LINE, "ipFamilies: [IPv4]");
        yaml = yaml.replace(", \"fd00:10:244::/56\"", "").replace(", \"fd00:10:96::/112\"", "")
                .replace(", \"fd00:192:168:100::/64\"", "").replace(", \"fd00:192:168:100::11\"", "")
                .replace(", \"fd00:192:168:100::12\"", "");
        yaml = replace(yaml, "vips: [10.96.0.10]", "    vips: [10.96.0.10, \"fd00:10:96::a\"]  # <-");
        assertError(yaml, "services[0].vips[1]", "fd00:10:96::a is an IPv6 address but ipFamilies does not list IPv6");
    }

    @Test
    void duplicateServiceNamesAreReported() {
        String yaml = BASE + """
                  - name: web  # <-
                    vips: [10.96.0.11]
                    ports: [{port: 80}]
                """;
        assertError(yaml, "services[1].name", "service name web is already used by services[0]");
    }

    @Test
    void servicePortOutOfRangeIsReported() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}", "      - {name: http, port: 80, targetPort: 0}  # <-");
        assertError(yaml, "services[0].ports[0].targetPort", "0 is outside 1..65535");
    }

    @Test
    void nodePortOutsideTheKubernetesRangeIsReported() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}", "      - {name: http, port: 80, nodePort: 8080}  # <-");
        assertError(yaml, "services[0].ports[0].nodePort", "8080 is outside 30000..32767 (the Kubernetes node port range)");
    }

    @Test
    void unknownProtocolIsReported() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}", "      - {name: http, protocol: tcp, port: 80}  # <-");
        assertError(yaml, "services[0].ports[0].protocol", "'tcp' is not one of TCP, UDP, SCTP; did you mean TCP?");
    }

    @Test
    void duplicateServicePortIsReported() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}",
                "      - {name: http, port: 80}\n      - {name: http2, port: 80}  # <-");
        assertError(yaml, "services[0].ports[1].port", "port 80/TCP is already defined by services[0].ports[0]");
    }

    @Test
    void backendOfAFamilyWithoutAVipIsReported() {
        String yaml = replace("- {address: 10.244.0.5}", "      - {address: \"fd00:10:244::5\"}  # <-");
        assertError(yaml, "services[0].backends[0].address", "fd00:10:244::5 is an IPv6 address but the service has no IPv6 VIP");
    }

    @Test
    void backendWeightZeroIsReported() {
        String yaml = replace("- {address: 10.244.0.5}", "      - {address: 10.244.0.5, weight: 0}  # <-");
        assertError(yaml, "services[0].backends[0].weight", "0 is outside 1..65535 (use ready: false to take a backend out)");
    }

    @Test
    void affinityTimeoutWithoutClientIpIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    sessionAffinityTimeoutSeconds: 60  # <-");
        assertError(yaml, "services[0].sessionAffinityTimeoutSeconds", "only applies with sessionAffinity: ClientIP");
    }

    @Test
    void localTrafficPolicyWithoutNodePortIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalTrafficPolicy: Local  # <-");
        assertError(yaml, "services[0].externalTrafficPolicy", "externalTrafficPolicy Local only applies to node ports");
    }

    @Test
    void localTrafficPolicyWithExternalIpsIsAccepted() throws Exception {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalIPs: [203.0.113.7]\n"
                + "    externalTrafficPolicy: Local\n    internalTrafficPolicy: Local");
        var service = ConfigFixture.load(yaml).services().getFirst();
        assertEquals(List.of(io.podswitch.config.cidr.IpAddress.parse("203.0.113.7")), service.externalIps());
        assertEquals(io.podswitch.config.model.InternalTrafficPolicy.LOCAL, service.internalTrafficPolicy());
    }

    @Test
    void externalIpInsideAClusterRangeIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalIPs: [10.244.9.9]  # <-");
        assertError(yaml, "services[0].externalIPs[0]", "is inside podCIDRs");
    }

    @Test
    void externalIpOfAFamilyWithoutVipIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalIPs: [\"2001:db8::7\"]  # <-");
        assertError(yaml, "services[0].externalIPs[0]", "the service has no IPv6 VIP");
    }

    @Test
    void loopbackExternalIpIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalIPs: [127.0.0.1]  # <-");
        assertError(yaml, "services[0].externalIPs[0]", "is a loopback address and cannot be an external IP");
    }

    @Test
    void externalIpPortServedTwiceIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    externalIPs: [203.0.113.7]")
                + """
                  - name: other
                    vips: [10.96.0.11]
                    externalIPs: [203.0.113.7]  # <-
                    ports:
                      - {name: http, port: 80}
                """;
        assertError(yaml, "services[1].externalIPs[0]", "port 80/TCP on 203.0.113.7 is already served by services[0].externalIPs[0]");
    }

    @Test
    void badInternalTrafficPolicyIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    internalTrafficPolicy: Nearby  # <-");
        assertError(yaml, "services[0].internalTrafficPolicy", "Nearby");
    }

    @Test
    void emptyIpFamiliesIsReported() {
        String yaml = replace(FIRST_LINE, "ipFamilies: []  # <-");
        assertError(yaml, "ipFamilies", "lists no family");
    }

    @Test
    void nonTextKeyIsReported() {
        String yaml = replace("  vni: 1", "  [a, b]: 1  # <-");
        assertError(yaml, "overlay", "keys must be plain names but found a list");
    }

    @Test
    void explicitPodMtuBelowTheIpv6MinimumIsReported() {
        String yaml = replace("  vni: 1", "  podMTU: 1200  # <-");
        assertError(yaml, "overlay.podMTU", "pod MTU 1200 is below 1280, the least IPv6 allows");
    }

    @Test
    void duplicateVipAcrossServicesIsReported() {
        String yaml = BASE + """
                  - name: web2
                    vips: [10.96.0.10]  # <-
                    ports: [{port: 80}]
                """;
        assertError(yaml, "services[1].vips[0]", "10.96.0.10 is already the VIP services[0].vips[0]");
    }

    @Test
    void duplicateNodePortAcrossServicesIsReported() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}", "      - {name: http, port: 80, nodePort: 30080}") + """
                  - name: web2
                    vips: [10.96.0.11]
                    ports: [{port: 80, nodePort: 30080}]  # <-
                """;
        assertError(yaml, "services[1].ports[0].nodePort", "node port 30080/TCP is already used by services[0].ports[0].nodePort");
    }

    @Test
    void portsOfAMultiPortServiceNeedNames() {
        String yaml = replace("- {name: http, port: 80, targetPort: 8080}", "      - {name: http, port: 80}\n      - {port: 443}  # <-");
        assertError(yaml, "services[0].ports[1].name", "is missing; ports of a multi-port service need names");
    }

    @Test
    void backendPortOnAMultiPortServiceIsReported() {
        String yaml = replace(replace("- {name: http, port: 80, targetPort: 8080}",
                "      - {name: http, port: 80}\n      - {name: https, port: 443}"),
                "- {address: 10.244.0.5}", "      - {address: 10.244.0.5, port: 8443}  # <-");
        assertError(yaml, "services[0].backends[0].port", "a backend port only fits single-port services");
    }

    @Test
    void duplicateBackendIsReported() {
        String yaml = replace("- {address: 10.244.0.5}", "      - {address: 10.244.0.5}\n      - {address: 10.244.0.5}  # <-");
        assertError(yaml, "services[0].backends[1].address", "10.244.0.5 is already a backend (services[0].backends[0])");
    }

    @Test
    void serviceWithoutPortsIsReported() {
        String yaml = BASE + """
                  - name: empty  # <-
                    vips: [10.96.0.11]
                """;
        assertError(yaml, "services[1].ports", "is missing; a service needs at least one port");
    }

    @Test
    void serviceWithoutVipsIsReported() {
        String yaml = BASE + """
                  - name: novip  # <-
                    ports: [{port: 80}]
                """;
        assertError(yaml, "services[1].vips", "is missing; give one or two cluster IPs (one per family) from serviceCIDRs");
    }

    @Test
    void invalidServiceNameIsReported() {
        String yaml = replace("- name: web", "  - name: Web_Server  # <-");
        assertError(yaml, "services[0].name", "'Web_Server' is not a valid service name");
    }

    @Test
    void affinityTimeoutOutOfRangeIsReported() {
        String yaml = replace("vips: [10.96.0.10]", "    vips: [10.96.0.10]\n    sessionAffinity: ClientIP\n"
                + "    sessionAffinityTimeoutSeconds: 100000  # <-");
        assertError(yaml, "services[0].sessionAffinityTimeoutSeconds", "100000 is outside 1..86400 seconds");
    }

    // --- collection ---

    @Test
    void everyErrorIsReportedInFileOrder() {
        String yaml = replace(replace(replace("serviceCIDRs:", "serviceCIDRs: [10.96.0.1/16, \"fd00:10:96::/112\"]"),
                "  vni: 1", "  vni: 0"), "- name: node-b", "  - name: node-a");
        List<ConfigError> errors = errors(yaml, Map.of());
        assertEquals(List.of("serviceCIDRs[0]", "overlay.vni", "nodes[1].name"), errors.stream().map(ConfigError::path).toList());
        assertEquals(List.of(3, 8, 13), errors.stream().map(ConfigError::line).toList());
    }
}
