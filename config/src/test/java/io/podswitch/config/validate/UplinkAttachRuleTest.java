package io.podswitch.config.validate;

import static io.podswitch.config.validate.ConfigFixture.assertError;
import static io.podswitch.config.validate.ConfigFixture.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.config.ConfigError;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.UplinkAttach;
import org.junit.jupiter.api.Test;

/** {@code nodes[].uplink.attach}: auto (default), af_xdp, udp or tap, misspellings located and corrected. */
class UplinkAttachRuleTest {

    @Test
    void attachDefaultsToAuto() throws Exception {
        ClusterConfig config = ConfigFixture.load(ConfigFixture.BASE);
        assertEquals(UplinkAttach.AUTO, config.thisNode().uplink().attach());
    }

    @Test
    void afXdpIsRead() throws Exception {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1500, attach: af_xdp}");
        ClusterConfig config = ConfigFixture.load(yaml);
        assertEquals(UplinkAttach.AF_XDP, config.thisNode().uplink().attach());
        assertEquals(UplinkAttach.AUTO, config.node("node-b").orElseThrow().uplink().attach());
    }

    @Test
    void udpIsRead() throws Exception {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1500, attach: udp}");
        ClusterConfig config = ConfigFixture.load(yaml);
        assertEquals(UplinkAttach.UDP, config.thisNode().uplink().attach());
        assertEquals(UplinkAttach.AUTO, config.node("node-b").orElseThrow().uplink().attach());
    }

    @Test
    void tapIsRead() throws Exception {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1500, attach: tap}");
        ClusterConfig config = ConfigFixture.load(yaml);
        assertEquals(UplinkAttach.TAP, config.thisNode().uplink().attach());
        assertEquals("tap", config.thisNode().uplink().attach().configName());
    }

    @Test
    void autoIsRead() throws Exception {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}", "    uplink: {interface: eth0, mtu: 1500, attach: auto}");
        assertEquals(UplinkAttach.AUTO, ConfigFixture.load(yaml).thisNode().uplink().attach());
    }

    @Test
    void unknownAttachIsLocatedWithASuggestion() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500, attach: afxdp}  # <-");
        ConfigError error = assertError(yaml, "nodes[0].uplink.attach", "'afxdp' is not one of af_xdp, udp, tap, auto; did you mean af_xdp?");
        assertEquals(ConfigFixture.FILE, error.file());
    }

    @Test
    void attachMustBeText() {
        String yaml = replace("uplink: {interface: eth0, mtu: 1500}",
                "    uplink: {interface: eth0, mtu: 1500, attach: [udp]}  # <-");
        assertError(yaml, "nodes[0].uplink.attach", "expected a text value but found a list");
    }
}
