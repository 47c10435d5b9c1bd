package io.podswitch.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.api.CniResult;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.ObjectReader;
import org.junit.jupiter.api.Test;

/** The spec appendix's bridge result, converted to each version and compared with hand-written JSON. */
class ResultFormatterTest {
    /** Section "Add example": the result the bridge plugin returns (1.1.0 shape, no cniVersion). */
    static final String SPEC_BRIDGE_RESULT = """
            {
                "ips": [ { "address": "10.1.0.5/16", "gateway": "10.1.0.1", "interface": 2 } ],
                "routes": [ { "dst": "0.0.0.0/0" } ],
                "interfaces": [
                    { "name": "cni0", "mac": "00:11:22:33:44:55" },
                    { "name": "veth3243", "mac": "55:44:33:22:11:11" },
                    { "name": "eth0", "mac": "99:88:77:66:55:44", "sandbox": "/var/run/netns/blue" }
                ],
                "dns": { "nameservers": [ "10.1.0.1" ] }
            }""";

    private static CniResult specResult() {
        return CniResult.fromJson(new ObjectReader(JsonParser.parseObject(SPEC_BRIDGE_RESULT), ""));
    }

    private static void assertFormat(CniVersion version, String expected) {
        JsonObject actual = ResultFormatter.format(specResult(), version);
        assertEquals(JsonParser.parse(expected), actual);
    }

    @Test
    void v110IsTheSpecExampleWithCniVersion() {
        assertFormat(CniVersion.V1_1_0, """
                {
                  "cniVersion": "1.1.0",
                  "ips": [ { "address": "10.1.0.5/16", "gateway": "10.1.0.1", "interface": 2 } ],
                  "routes": [ { "dst": "0.0.0.0/0" } ],
                  "interfaces": [
                    { "name": "cni0", "mac": "00:11:22:33:44:55" },
                    { "name": "veth3243", "mac": "55:44:33:22:11:11" },
                    { "name": "eth0", "mac": "99:88:77:66:55:44", "sandbox": "/var/run/netns/blue" }
                  ],
                  "dns": { "nameservers": [ "10.1.0.1" ] }
                }""");
    }

    @Test
    void v100HasNoIpVersion() {
        assertFormat(CniVersion.V1_0_0, """
                {
                  "cniVersion": "1.0.0",
                  "ips": [ { "address": "10.1.0.5/16", "gateway": "10.1.0.1", "interface": 2 } ],
                  "routes": [ { "dst": "0.0.0.0/0" } ],
                  "interfaces": [
                    { "name": "cni0", "mac": "00:11:22:33:44:55" },
                    { "name": "veth3243", "mac": "55:44:33:22:11:11" },
                    { "name": "eth0", "mac": "99:88:77:66:55:44", "sandbox": "/var/run/netns/blue" }
                  ],
                  "dns": { "nameservers": [ "10.1.0.1" ] }
                }""");
    }

    @Test
    void v040AndV031CarryIpVersion() {
        String body = """
                  "ips": [ { "version": "4", "address": "10.1.0.5/16", "gateway": "10.1.0.1", "interface": 2 } ],
                  "routes": [ { "dst": "0.0.0.0/0" } ],
                  "interfaces": [
                    { "name": "cni0", "mac": "00:11:22:33:44:55" },
                    { "name": "veth3243", "mac": "55:44:33:22:11:11" },
                    { "name": "eth0", "mac": "99:88:77:66:55:44", "sandbox": "/var/run/netns/blue" }
                  ],
                  "dns": { "nameservers": [ "10.1.0.1" ] }
                }""";
        assertFormat(CniVersion.V0_4_0, "{ \"cniVersion\": \"0.4.0\",\n" + body);
        assertFormat(CniVersion.V0_3_1, "{ \"cniVersion\": \"0.3.1\",\n" + body);
        assertFormat(CniVersion.V0_3_0, "{ \"cniVersion\": \"0.3.0\",\n" + body);
    }

    @Test
    void extendedAttributesOnlyIn110() {
        String withMtu = """
                { "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "mtu": 1450, "sandbox": "/run/netns/p" } ],
                  "ips": [ { "address": "fd00::2/64", "gateway": "fd00::1", "interface": 0 } ],
                  "routes": [ { "dst": "::/0", "gw": "fd00::1", "mtu": 1400, "priority": 10 } ] }""";
        CniResult r = CniResult.fromJson(new ObjectReader(JsonParser.parseObject(withMtu), ""));
        assertEquals(JsonParser.parse("""
                { "cniVersion": "1.1.0",
                  "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "mtu": 1450, "sandbox": "/run/netns/p" } ],
                  "ips": [ { "address": "fd00::2/64", "gateway": "fd00::1", "interface": 0 } ],
                  "routes": [ { "dst": "::/0", "gw": "fd00::1", "mtu": 1400, "priority": 10 } ] }"""),
                ResultFormatter.format(r, CniVersion.V1_1_0));
        assertEquals(JsonParser.parse("""
                { "cniVersion": "0.4.0",
                  "interfaces": [ { "name": "eth0", "mac": "0a:58:0a:58:00:02", "sandbox": "/run/netns/p" } ],
                  "ips": [ { "version": "6", "address": "fd00::2/64", "gateway": "fd00::1", "interface": 0 } ],
                  "routes": [ { "dst": "::/0", "gw": "fd00::1" } ] }"""),
                ResultFormatter.format(r, CniVersion.V0_4_0));
    }

    @Test
    void prevResultInOldFormatReadsBackTheSame() {
        JsonObject old = ResultFormatter.format(specResult(), CniVersion.V0_3_1);
        CniResult reread = CniResult.fromJson(new ObjectReader(old, "prevResult"));
        assertEquals(specResult(), reread);
    }
}
