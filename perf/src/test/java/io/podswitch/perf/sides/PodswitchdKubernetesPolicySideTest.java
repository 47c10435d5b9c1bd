package io.podswitch.perf.sides;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.daemon.kubernetes.policy.PolicyTranslator;
import io.podswitch.perf.bench.side.PolicyRuleSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes subject enforces the same policy as the file subject: its NetworkPolicy object, as the daemon's
 * translator reads it, is the file section's policy — so the two subjects' figures compare one policy.
 */
class PodswitchdKubernetesPolicySideTest {

    @Test
    void theApiObjectIsTheFileSectionsPolicy() {
        PolicyTranslator translator = new PolicyTranslator(List.of(IpFamily.IPV4), "bench-node");
        for (PolicyRuleSet rules : List.of(new PolicyRuleSet(10, true), new PolicyRuleSet(1000, false))) {
            var verdict = translator.policy(PodswitchdKubernetesPolicySide.policy(rules));
            var use = assertInstanceOf(PolicyTranslator.Verdict.Use.class, verdict, () -> "rejected: " + verdict);
            assertEquals(List.of(), use.problems());
            NetworkPolicy fromFile = PodswitchdPolicySide.section(rules).policies().getFirst();
            assertEquals(fromFile, use.value(), rules + ": the same policy through the API as through the file");
        }
    }
}
