package io.podswitch.daemon.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.nativeio.bpf.IpPrefix;
import io.podswitch.nativeio.bpf.XdpFilter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the uplink's XDP program is told to steal, per overlay mode: always the node-port range to the node's addresses. */
class UplinkFilterTest {

    private static ClusterConfig config(String mode, String addresses) throws Exception {
        return ConfigLoader.parse("ipFamilies: [IPv4, IPv6]\n"
                + "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]\n"
                + "serviceCIDRs: [10.96.0.0/16, \"fd00:10:96::/112\"]\n"
                + "nodeCIDRs: [192.168.1.0/24, \"fd00:192:168:1::/64\"]\n"
                + "node: a\n"
                + "overlay: {mode: " + mode + "}\n"
                + "nodes:\n"
                + "  - {name: a, addresses: " + addresses + ", podCIDRs: [10.244.1.0/24, \"fd00:10:244:1::/64\"]}\n"
                + "  - {name: b, addresses: [192.168.1.2, \"fd00:192:168:1::2\"], podCIDRs: [10.244.2.0/24, \"fd00:10:244:2::/64\"]}\n",
                "cluster.yaml", Map.of());
    }

    @Test
    void overlayTakesTheTunnelPortAndTheNodePortRange() throws Exception {
        XdpFilter f = UplinkFilter.of(config("vxlan", "[192.168.1.1, \"fd00:192:168:1::1\"]"));
        assertEquals(4789, f.udpDestinationPort());
        assertEquals(List.of(), f.destinations());
        assertEquals(List.of(IpPrefix.parse("192.168.1.1/32"), IpPrefix.parse("fd00:192:168:1::1/128")), f.nodeAddresses());
        assertEquals(30000, f.nodePortLow());
        assertEquals(32767, f.nodePortHigh());
    }

    @Test
    void directTakesThePodCidrsAndTheNodePortRange() throws Exception {
        XdpFilter f = UplinkFilter.of(config("direct", "[192.168.1.1, \"fd00:192:168:1::1\"]"));
        assertEquals(0, f.udpDestinationPort());
        assertEquals(List.of(IpPrefix.parse("10.244.1.0/24"), IpPrefix.parse("fd00:10:244:1::/64")), f.destinations());
        assertEquals(2, f.nodeAddresses().size());
        assertEquals(UplinkFilter.NODE_PORT_MIN, f.nodePortLow());
        assertEquals(UplinkFilter.NODE_PORT_MAX, f.nodePortHigh());
    }

    @Test
    void theTapUplinksNicProgramTakesTheTunnelPortAndTheNodePortRangeButNoServiceMaps() throws Exception {
        XdpFilter f = UplinkFilter.tapUplink(config("vxlan", "[192.168.1.1, \"fd00:192:168:1::1\"]"));
        List<IpPrefix> node = List.of(IpPrefix.parse("192.168.1.1/32"), IpPrefix.parse("fd00:192:168:1::1/128"));
        assertEquals(4789, f.udpDestinationPort());
        assertEquals(node, f.udpDestinations(), "tunnel packets for another host stay with the kernel");
        assertEquals(List.of(), f.destinations());
        assertEquals(node, f.nodeAddresses());
        assertEquals(UplinkFilter.NODE_PORT_MIN, f.nodePortLow());
        assertEquals(UplinkFilter.NODE_PORT_MAX, f.nodePortHigh());
        assertEquals(false, f.serviceAddresses());
    }
}
