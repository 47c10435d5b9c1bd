package io.podswitch.daemon.kubernetes.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cli.NetworkPolicyWriter;
import io.podswitch.config.model.policy.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The policy engine's inputs as API objects, for tests that put them on the test API server: a model
 * {@link NetworkPolicy} as the {@code networking.k8s.io/v1} object {@code kubectl apply} would create (through the
 * cluster file's manifest writer, so both sources are fed the same text), pods and namespaces as the kubelet
 * and the API server fill them in.
 */
public final class ApiPolicyObjects {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ApiPolicyObjects() {
    }

    public static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy(NetworkPolicy policy) {
        return SERIALIZATION.convertValue(NetworkPolicyWriter.policy(policy),
                io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    }

    /** A policy from its YAML manifest text. */
    public static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy(String yaml) {
        return SERIALIZATION.unmarshal(yaml, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    }

    public static Namespace namespace(String name, Map<String, String> labels) {
        Map<String, String> all = new java.util.TreeMap<>(labels);
        all.put("kubernetes.io/metadata.name", name);
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata().build();
    }

    /**
     * A running pod on {@code node} with {@code ips} (none: not yet known), serving TCP and UDP 80 and 81 under the
     * upstream e2e suite's port names ({@code serve-80-tcp} …).
     */
    public static Pod pod(String namespace, String name, Map<String, String> labels, String node, List<IpAddress> ips) {
        List<PodIP> podIps = new ArrayList<>();
        for (IpAddress ip : ips) {
            podIps.add(new PodIP(ip.toString()));
        }
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
                .endMetadata();
        var c = b.withNewSpec().withNodeName(node).addNewContainer().withName("server")
                .withImage("registry.k8s.io/e2e-test-images/agnhost:2.53");
        for (int port : List.of(80, 81)) {
            for (String protocol : List.of("TCP", "UDP", "SCTP")) {
                c.addNewPort().withName("serve-" + port + "-" + protocol.toLowerCase()).withContainerPort(port)
                        .withProtocol(protocol).endPort();
            }
        }
        return c.endContainer().endSpec().withNewStatus().withPhase("Running")
                .withPodIP(podIps.isEmpty() ? null : podIps.getFirst().getIp()).withPodIPs(podIps).endStatus().build();
    }
}
