package io.podswitch.daemon.kubernetes.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the pod informer's cache keeps of a Pod ({@link io.podswitch.daemon.kubernetes.watch.SlimStore}): exactly
 * what {@link PolicyTranslator#pod} reads — name, namespace, resourceVersion, labels; {@code spec.nodeName},
 * {@code hostNetwork}, the named container ports; {@code status.phase}, {@code podIP(s)} — with label keys and
 * values, namespaces and node names interned (a cluster's pods share a few hundred distinct ones). Everything
 * else a Pod carries (containers' images, env, volumes, probes, managedFields, conditions …: most of its
 * bytes) is dropped as it arrives.
 */
public final class SlimPods {
    private SlimPods() {
    }

    public static Pod slim(Pod pod) {
        ObjectMeta m = pod.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setAnnotations(Map.of());
        meta.setFinalizers(List.of());
        meta.setLabels(Map.of());
        meta.setManagedFields(List.of());
        meta.setOwnerReferences(List.of());
        meta.setAdditionalProperties(Map.of());
        if (m != null) {
            meta.setName(m.getName());
            meta.setNamespace(intern(m.getNamespace()));
            meta.setResourceVersion(m.getResourceVersion());
            if (m.getLabels() != null && !m.getLabels().isEmpty()) {
                Map<String, String> labels = new HashMap<>(m.getLabels().size() * 2);
                m.getLabels().forEach((k, v) -> {
                    if (k != null && v != null) {
                        labels.put(intern(k), intern(v));
                    }
                });
                meta.setLabels(Map.copyOf(labels));
            }
        }
        PodSpec spec = new PodSpec();
        spec.setEphemeralContainers(List.of());
        spec.setEvictionResponders(List.of());
        spec.setHostAliases(List.of());
        spec.setImagePullSecrets(List.of());
        spec.setInitContainers(List.of());
        spec.setNodeSelector(Map.of());
        spec.setOverhead(Map.of());
        spec.setReadinessGates(List.of());
        spec.setResourceClaims(List.of());
        spec.setSchedulingGates(List.of());
        spec.setTolerations(List.of());
        spec.setTopologySpreadConstraints(List.of());
        spec.setVolumes(List.of());
        spec.setAdditionalProperties(Map.of());
        spec.setContainers(List.of());
        if (pod.getSpec() != null) {
            spec.setNodeName(intern(pod.getSpec().getNodeName()));
            spec.setHostNetwork(pod.getSpec().getHostNetwork());
            List<Container> containers = null;
            if (pod.getSpec().getContainers() != null) {
                for (Container c : pod.getSpec().getContainers()) {
                    List<ContainerPort> named = null;
                    if (c != null && c.getPorts() != null) {
                        for (ContainerPort p : c.getPorts()) {
                            if (p != null && p.getName() != null && !p.getName().isEmpty()) {
                                if (named == null) {
                                    named = new ArrayList<>(2);
                                }
                                ContainerPort keep = new ContainerPort();
                                keep.setAdditionalProperties(Map.of());
                                keep.setName(intern(p.getName()));
                                keep.setContainerPort(p.getContainerPort());
                                keep.setProtocol(intern(p.getProtocol()));
                                named.add(keep);
                            }
                        }
                    }
                    if (named != null) {
                        if (containers == null) {
                            containers = new ArrayList<>(1);
                        }
                        Container keep = new Container();
                        keep.setArgs(List.of());
                        keep.setCommand(List.of());
                        keep.setEnv(List.of());
                        keep.setEnvFrom(List.of());
                        keep.setResizePolicy(List.of());
                        keep.setRestartPolicyRules(List.of());
                        keep.setVolumeDevices(List.of());
                        keep.setVolumeMounts(List.of());
                        keep.setAdditionalProperties(Map.of());
                        keep.setPorts(List.copyOf(named));
                        containers.add(keep);
                    }
                }
            }
            spec.setContainers(containers == null ? List.of() : List.copyOf(containers));
        }
        PodStatus status = new PodStatus();
        status.setAllocatedResources(Map.of());
        status.setConditions(List.of());
        status.setContainerStatuses(List.of());
        status.setEphemeralContainerStatuses(List.of());
        status.setHostIPs(List.of());
        status.setInitContainerStatuses(List.of());
        status.setNodeAllocatableResourceClaimStatuses(List.of());
        status.setPodIPs(List.of());
        status.setResourceClaimStatuses(List.of());
        status.setVolumeHealth(List.of());
        status.setAdditionalProperties(Map.of());
        if (pod.getStatus() != null) {
            status.setPhase(intern(pod.getStatus().getPhase()));
            status.setPodIP(pod.getStatus().getPodIP());
            List<PodIP> ips = pod.getStatus().getPodIPs();
            status.setPodIPs(ips == null || ips.isEmpty() ? List.of() : ips.stream().map(SlimPods::podIp).toList());
        }
        Pod out = new Pod();
        out.setAdditionalProperties(Map.of());
        out.setMetadata(meta);
        out.setSpec(spec);
        out.setStatus(status);
        return out;
    }

    private static PodIP podIp(PodIP ip) {
        PodIP out = new PodIP(ip == null ? null : ip.getIp());
        out.setAdditionalProperties(Map.of());
        return out;
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }
}
