package io.podswitch.perf.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.daemon.kubernetes.policy.PolicyTranslator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generated objects are what the daemon's translator uses (not skipped), and addresses never collide. */
class PolicyScaleClusterTest {
    private final PolicyTranslator translator = new PolicyTranslator(List.of(IpFamily.IPV4), ScaleCluster.SELF);

    @Test
    void everyObjectIsUsedByThePolicyEngine() {
        PolicyScaleCluster cluster = new PolicyScaleCluster(10_000);
        for (int k : List.of(0, 1, 99)) {
            assertInstanceOf(PolicyTranslator.Verdict.Use.class,
                    translator.namespace(Serialization.unmarshal(PolicyScaleCluster.namespace(k), Namespace.class)));
            var policy = translator.policy(Serialization.unmarshal(PolicyScaleCluster.policy(k), NetworkPolicy.class));
            assertInstanceOf(PolicyTranslator.Verdict.Use.class, policy);
            assertEquals(List.of(), ((PolicyTranslator.Verdict.Use<?>) policy).problems());
        }
        int local = 0;
        for (int i = 0; i < cluster.pods(); i += 137) {
            Pod pod = Serialization.unmarshal(PolicyScaleCluster.pod(i), Pod.class);
            var verdict = translator.pod(pod);
            assertInstanceOf(PolicyTranslator.Verdict.Use.class, verdict, "pod " + i);
            PodInfo info = (PodInfo) ((PolicyTranslator.Verdict.Use<?>) verdict).value();
            assertEquals(PolicyScaleCluster.podIp(i), info.ips().getFirst().toString());
            assertEquals(2, info.ports().size());
            local += ScaleCluster.SELF.equals(info.nodeName()) ? 1 : 0;
        }
        assertTrue(local > 0);
        assertEquals(2, cluster.localPods());
    }

    @Test
    void podAddressesAreDistinctAndLocalOnesInThisNodesCidr() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(seen.add(PolicyScaleCluster.podIp(i)), PolicyScaleCluster.podIp(i));
        }
        assertEquals("10.128.0.2", PolicyScaleCluster.podIp(0));
        assertEquals("10.128.0.21", PolicyScaleCluster.podIp(95_000));
        assertTrue(PolicyScaleCluster.podIp(1).startsWith("10.128.1."));
    }

    @Test
    void aPodIsAboutTwoKilobytes() {
        int size = PolicyScaleCluster.pod(54_321).length();
        assertTrue(size > 1800 && size < 2600, size + " bytes");
    }

    @Test
    void aRealisticPodIsTheSamePodAsARealApiServerListsIt() {
        for (int i : List.of(0, 1, 54_321, 99_999)) {
            Pod realistic = Serialization.unmarshal(PolicyScaleCluster.realisticPod(i), Pod.class);
            Pod minimal = Serialization.unmarshal(PolicyScaleCluster.pod(i), Pod.class);
            assertEquals(minimal.getMetadata().getName(), realistic.getMetadata().getName());
            assertEquals(minimal.getMetadata().getLabels(), realistic.getMetadata().getLabels());
            assertEquals(2, realistic.getMetadata().getManagedFields().size(), "kube-controller-manager's and the kubelet's");
            assertEquals(2, realistic.getSpec().getContainers().getFirst().getPorts().size());
            assertEquals(5, realistic.getStatus().getConditions().size());
            assertTrue(realistic.getAdditionalProperties().isEmpty() && realistic.getSpec().getAdditionalProperties().isEmpty(),
                    "every field is one the model knows");
            assertEquals(((PolicyTranslator.Verdict.Use<?>) translator.pod(minimal)).value(),
                    ((PolicyTranslator.Verdict.Use<?>) translator.pod(realistic)).value(), "the policy engine sees one pod");
        }
        int size = PolicyScaleCluster.realisticPod(54_321).length();
        assertTrue(size > 6000 && size < 8000, size + " bytes");
    }
}
