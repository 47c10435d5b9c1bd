package io.podswitch.config.validate;

import static io.podswitch.config.validate.ConfigFixture.BASE;
import static io.podswitch.config.validate.ConfigFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigLoader;
import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.cli.EffectiveConfigWriter;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.MasqueradeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code masquerade:} and {@code nonMasqueradeCIDRs:}: defaults, reading, every refusal located. */
class MasqueradeRulesTest {

    @Test
    void onByDefaultWithNoExtraRanges() throws Exception {
        ClusterConfig config = ConfigFixture.load(BASE);
        assertEquals(MasqueradeConfig.DEFAULT, config.masquerade());
        assertTrue(config.masquerade().enabled());
    }

    @Test
    void bothKeysAreRead() throws Exception {
        ClusterConfig config = ConfigFixture.load(BASE + """
                masquerade: true
                nonMasqueradeCIDRs: [172.16.0.0/12, "fd00:abcd::/32", 100.64.0.0/10]
                """);
        assertEquals(List.of(Cidr.parse("172.16.0.0/12"), Cidr.parse("fd00:abcd::/32"), Cidr.parse("100.64.0.0/10")),
                config.masquerade().nonMasqueradeCidrs());
        assertEquals(List.of(Cidr.parse("172.16.0.0/12"), Cidr.parse("100.64.0.0/10")),
                config.masquerade().nonMasqueradeCidrs(IpFamily.IPV4));
        assertFalse(ConfigFixture.load(BASE + "masquerade: false\n").masquerade().enabled());
    }

    @Test
    void showWritesThemAndItsOutputLoadsBack() throws Exception {
        for (String extra : List.of("", "masquerade: false\n", "nonMasqueradeCIDRs: [172.16.0.0/12]\n")) {
            ClusterConfig config = ConfigFixture.load(BASE + extra);
            String shown = EffectiveConfigWriter.toYaml(config);
            assertTrue(shown.contains("masquerade: " + config.masquerade().enabled()), shown);
            assertEquals(config.masquerade(), ConfigLoader.parse(shown, "shown.yaml", Map.of()).masquerade(), shown);
        }
    }

    @Test
    void aRangeOfAnUnlistedFamilyIsLocated() {
        String yaml = ConfigFixture.replace(BASE, "ipFamilies", "ipFamilies: [IPv4]")
                .replace(", \"fd00:10:244::/56\"", "").replace(", \"fd00:10:96::/112\"", "")
                .replace(", \"fd00:192:168:100::/64\"", "").replace(", \"fd00:192:168:100::11\"", "")
                .replace(", \"fd00:192:168:100::12\"", "")
                + "nonMasqueradeCIDRs: [10.0.0.0/8, \"fd00::/8\"]  # <-\n";
        assertError(yaml, "nonMasqueradeCIDRs[1]", "fd00::/8 is an IPv6 range but ipFamilies does not list IPv6");
    }

    @Test
    void malformedRangesAreLocated() {
        assertError(BASE + "nonMasqueradeCIDRs: [10.1.2.3/8]  # <-\n", "nonMasqueradeCIDRs[0]", "the network is 10.0.0.0/8");
        assertError(BASE + "nonMasqueradeCIDRs: 10.0.0.0/8  # <-\n", "nonMasqueradeCIDRs", "write it as a list: [10.0.0.0/8]");
        assertError(BASE + "nonMasqueradeCIDRs: [\"::ffff:10.0.0.0/104\"]  # <-\n", "nonMasqueradeCIDRs[0]",
                "IPv4-mapped IPv6 range");
    }

    @Test
    void aRangeListedTwiceIsLocatedAtTheSecond() {
        assertError(BASE + "nonMasqueradeCIDRs:\n  - 10.0.0.0/8\n  - 10.0.0.0/8  # <-\n", "nonMasqueradeCIDRs[1]",
                "10.0.0.0/8 is listed twice (first as nonMasqueradeCIDRs[0])");
    }

    @Test
    void masqueradeMustBeABoolean() {
        assertError(BASE + "masquerade: yes  # <-\n", "masquerade", "expected true or false but found 'yes'");
        assertError(BASE + "masqerade: true  # <-\n", "masqerade", "did you mean 'masquerade'?");
    }

    @Test
    void aListWithMasqueradeOffIsRefused() {
        assertError(BASE + "masquerade: false\nnonMasqueradeCIDRs: [172.16.0.0/12]  # <-\n", "nonMasqueradeCIDRs",
                "has no effect with masquerade: false");
    }

    @Test
    void tooManyRangesAreRefused() {
        StringBuilder yaml = new StringBuilder(BASE).append("nonMasqueradeCIDRs: [  # <-\n");
        for (int i = 0; i <= MasqueradeRules.MAX_NON_MASQUERADE_CIDRS; i++) {
            yaml.append("  100.").append(64 + i / 256).append('.').append(i % 256).append(".0/24,\n");
        }
        yaml.append("]\n");
        assertError(yaml.toString(), "nonMasqueradeCIDRs", "lists 1001 ranges; at most 1000");
    }
}
