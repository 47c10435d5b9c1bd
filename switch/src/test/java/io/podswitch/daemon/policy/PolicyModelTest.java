package io.podswitch.daemon.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.LabelRequirement;
import io.podswitch.config.model.policy.LabelSelector;
import io.podswitch.daemon.policy.NetpolCase.Check;
import io.podswitch.daemon.policy.NetpolCase.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference model against the hand-derived truth tables of every case, in both families. */
class PolicyModelTest {
    static final NetpolWorld WORLD = NetpolWorld.synthetic();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            for (NetpolCase c : NetpolCases.all(WORLD, family)) {
                out.add(Arguments.of(family, c));
            }
        }
        return out.stream();
    }

    /** The model's table for one step and check: every ordered pair of pods. */
    static Reachability table(NetpolWorld world, IpFamily family, Step step, Check check) {
        PolicyModel model = new PolicyModel(world.namespaces(step.namespaceLabels()), world.pods(step.podLabels()), step.policies());
        Reachability r = new Reachability(false);
        for (String from : NetpolWorld.allPods()) {
            for (String to : NetpolWorld.allPods()) {
                IpAddress src = world.address(from, family);
                IpAddress dst = world.address(to, family);
                r.set(from, to, model.allows(src, dst, check.probe().protocol().ipProtocolNumber(), check.probe().port()));
            }
        }
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void modelAgreesWithTheExpectedTables(IpFamily family, NetpolCase c) {
        for (Step step : c.steps()) {
            for (Check check : step.checks()) {
                Reachability actual = table(WORLD, family, step, check);
                assertEquals("", check.expected().differences(actual),
                        c.name() + " / " + step.description() + " / " + check.probe() + "\nexpected\n" + check.expected()
                                + "model\n" + actual);
            }
        }
    }

    @Test
    void thereAreAtLeastThirtyCases() {
        assertTrue(NetpolCases.all(WORLD, IpFamily.IPV4).size() >= 30, "cases: " + NetpolCases.all(WORLD, IpFamily.IPV4).size());
    }

    @Test
    void selectorOperators() {
        Map<String, String> labels = Map.of("pod", "a", "tier", "db");
        assertTrue(new LabelRequirement("pod", LabelRequirement.Operator.IN, List.of("a", "b")).matches(labels));
        assertFalse(new LabelRequirement("pod", LabelRequirement.Operator.IN, List.of("b")).matches(labels));
        assertFalse(new LabelRequirement("x", LabelRequirement.Operator.IN, List.of("a")).matches(labels));
        assertTrue(new LabelRequirement("x", LabelRequirement.Operator.NOT_IN, List.of("a")).matches(labels),
                "NotIn holds for an absent label");
        assertFalse(new LabelRequirement("pod", LabelRequirement.Operator.NOT_IN, List.of("a")).matches(labels));
        assertTrue(new LabelRequirement("tier", LabelRequirement.Operator.EXISTS, List.of()).matches(labels));
        assertFalse(new LabelRequirement("tier", LabelRequirement.Operator.DOES_NOT_EXIST, List.of()).matches(labels));
        assertTrue(LabelSelector.EVERYTHING.matches(Map.of()));
        assertFalse(new LabelSelector(Map.of("pod", "a"), List.of(new LabelRequirement("tier", LabelRequirement.Operator.IN,
                List.of("web")))).matches(labels), "matchLabels and matchExpressions are ANDed");
        assertEquals("pod=a,tier in (web)", new LabelSelector(Map.of("pod", "a"), List.of(new LabelRequirement("tier",
                LabelRequirement.Operator.IN, List.of("web")))).toString());
    }
}
