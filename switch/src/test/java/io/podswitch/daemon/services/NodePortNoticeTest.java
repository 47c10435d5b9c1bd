package io.podswitch.daemon.services;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.UplinkAttach;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The "node ports cannot be served" line (attach: udp, tap in direct mode) comes once, and only when it is true. */
class NodePortNoticeTest {

    private static ClusterConfig config(String attach, String nodePort) throws Exception {
        return config(attach, nodePort, "vxlan");
    }

    private static ClusterConfig config(String attach, String nodePort, String mode) throws Exception {
        return ConfigLoader.parse("ipFamilies: [IPv4]\n"
                + "overlay: {mode: " + mode + "}\n"
                + "podCIDRs: [10.244.0.0/16]\n"
                + "serviceCIDRs: [10.96.0.0/16]\n"
                + "nodeCIDRs: [192.168.1.0/24]\n"
                + "node: a\n"
                + "nodes:\n"
                + "  - {name: a, addresses: [192.168.1.1], podCIDRs: [10.244.1.0/24], uplink: {interface: eth0, attach: " + attach + "}}\n"
                + "  - {name: b, addresses: [192.168.1.2], podCIDRs: [10.244.2.0/24], uplink: {interface: eth0}}\n"
                + "services:\n"
                + "  - name: web\n"
                + "    vips: [10.96.0.10]\n"
                + "    ports: [{protocol: TCP, port: 80" + nodePort + "}]\n",
                "cluster.yaml", Map.of());
    }

    @Test
    void loggedOnceForNodePortsOnAUdpUplink() throws Exception {
        NodePortNotice notice = new NodePortNotice();
        assertFalse(notice.check(config("udp", ""), UplinkAttach.UDP), "no node port: nothing to say");
        assertTrue(notice.check(config("udp", ", nodePort: 30080"), UplinkAttach.UDP));
        assertFalse(notice.check(config("udp", ", nodePort: 30080"), UplinkAttach.UDP), "once per daemon");
    }

    @Test
    void silentWithAnAfXdpUplink() throws Exception {
        assertFalse(new NodePortNotice().check(config("af_xdp", ", nodePort: 30080"), UplinkAttach.AF_XDP));
    }

    @Test
    void autoCountsAsWhatItResolvedTo() throws Exception {
        assertFalse(new NodePortNotice().check(config("auto", ", nodePort: 30080"), UplinkAttach.AF_XDP),
                "auto on a kernel without the tunnel TAP: af_xdp steers node ports");
        assertFalse(new NodePortNotice().check(config("auto", ", nodePort: 30080"), UplinkAttach.TAP),
                "auto on a kernel with the tunnel TAP: its NIC program steers node ports");
    }

    @Test
    void tapServesNodePortsWithATunnelOnly() throws Exception {
        assertFalse(new NodePortNotice().check(config("tap", ", nodePort: 30080"), UplinkAttach.TAP));
        assertTrue(new NodePortNotice().check(config("tap", ", nodePort: 30080", "direct"), UplinkAttach.TAP),
                "tap in direct mode routes like udp");
    }
}
