package io.podswitch.perf.calico;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.perf.bench.side.PolicyRuleSet;
import org.junit.jupiter.api.Test;

/** The Calico-style rule texts the policy bench loads: shape and counts (the kernel's acceptance is the bench's check). */
class CalicoRulesTest {

    @Test
    void iptablesRulesAreOnePairPerPolicyRuleThenTheSelectorRule() {
        String text = CalicoIptablesRules.policy(new PolicyRuleSet(3, true));
        assertEquals(4, text.lines().filter(l -> l.startsWith("-A cali-pi-bench") && l.contains("MARK --set-xmark")).count());
        assertTrue(text.contains("-A cali-pi-bench -p tcp -s 172.16.0.1/32 -m multiport --dports 8080,5201"), text);
        assertTrue(text.contains("-m set --match-set cali40s-client src"), text);
        assertTrue(text.indexOf("--ctstate RELATED,ESTABLISHED -j ACCEPT") < text.indexOf("-j cali-pi-bench"),
                "established connections are accepted before the policy is walked");
        assertTrue(text.endsWith("-A cali-tw-server -j DROP\nCOMMIT\n"));
        assertFalse(CalicoIptablesRules.policy(new PolicyRuleSet(3, false)).contains("match-set"));
        assertFalse(CalicoIptablesRules.policy(new PolicyRuleSet(0, true)).contains("cali-pi-bench\n-A"),
                "no policy: the profile allows");
    }

    @Test
    void nftRulesAreOnePerPolicyRuleAndTheTableIsReplacedAtomically() {
        String text = CalicoNftRules.script(new PolicyRuleSet(3, true), "10.244.0.2");
        assertTrue(text.startsWith("table ip calico { }\ndelete table ip calico\n"), text);
        assertEquals(4, text.lines().filter(l -> l.contains("meta mark set meta mark | 0x10000 return")).count());
        assertTrue(text.contains("ip saddr @sel-client tcp dport { 8080, 5201 }"), text);
        assertTrue(CalicoNftRules.script(new PolicyRuleSet(0, true), "10.244.0.2").contains("    accept\n"));
    }

    @Test
    void blockedSourcesAreDistinctAndNeverAPodsAddress() {
        assertEquals("172.16.0.1", PolicyRuleSet.blockedSource(0));
        assertEquals("172.16.1.0", PolicyRuleSet.blockedSource(255));
        assertEquals("172.16.39.16", PolicyRuleSet.blockedSource(9999));
    }
}
