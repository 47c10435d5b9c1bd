package io.podswitch.daemon.kubernetes.policy;

import io.fabric8.kubernetes.api.model.*;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.policy.PodInfo;
import java.util.*;

/**
 * Heap held per pod (docs/kubernetes.md, "Memory"): the Pod as fabric8 deserializes it (a Deployment's pod with 4
 * labels, 2 named ports, dual-stack, conditions and container status) vs the slim informer cache copy vs that plus
 * the policy engine's PodInfo. Not a test: run it by hand, one mode per JVM —
 * {@code java -Xmx4g -XX:+UseSerialGC -cp switch/target/test-classes:switch/target/classes:config/target/classes:CP
 * io.podswitch.daemon.kubernetes.policy.PodMemory 100000 full|slim|slim+podinfo}.
 */
public class PodMemory {
    static Pod full(int i) {
        String app = "app-" + (i % 2000);
        return new PodBuilder().withNewMetadata().withNamespace("ns-" + (i % 500)).withName(app + "-7d9f8c6b5-" + Integer.toString(i, 36))
            .withUid(UUID.randomUUID().toString()).withResourceVersion(Integer.toString(1000000 + i))
            .withLabels(Map.of("app", app, "pod-template-hash", "7d9f8c6b5" + (i % 2000), "tier", (i % 3 == 0) ? "web" : "db", "version", "v" + (i % 4)))
            .withAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "2026-12-01T10:00:00Z"))
            .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(app + "-7d9f8c6b5").withUid(UUID.randomUUID().toString()).withController(true).endOwnerReference()
            .endMetadata()
            .withNewSpec().withNodeName("node-" + (i % 5000)).withServiceAccountName("default")
            .addNewContainer().withName("main").withImage("registry.example.com/" + app + ":1.2.3")
              .withArgs("--port=8080", "--metrics=9090").addNewEnv().withName("LOG_LEVEL").withValue("info").endEnv()
              .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
              .addNewPort().withName("metrics").withContainerPort(9090).withProtocol("TCP").endPort()
              .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi")).endResources()
              .addNewVolumeMount().withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount").withReadOnly(true).endVolumeMount()
            .endContainer()
            .addNewVolume().withName("kube-api-access").withNewProjected().endProjected().endVolume()
            .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(300L).endToleration()
            .endSpec()
            .withNewStatus().withPhase("Running").withPodIP("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255))
              .addNewPodIP().withIp("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)).endPodIP()
              .addNewPodIP().withIp("fd00:10:244::" + Integer.toHexString(i)).endPodIP()
              .withHostIP("192.168.1." + (i % 250)).withStartTime("2026-12-01T10:00:00Z")
              .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime("2026-12-01T10:00:05Z").endCondition()
              .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime("2026-12-01T10:00:05Z").endCondition()
              .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime("2026-12-01T10:00:00Z").endCondition()
              .addNewContainerStatus().withName("main").withReady(true).withRestartCount(0).withImage("registry.example.com/" + app + ":1.2.3")
                 .withImageID("registry.example.com/" + app + "@sha256:" + "0".repeat(64)).withContainerID("containerd://" + "a".repeat(64)).endContainerStatus()
            .endStatus().build();
    }

    static long used() {
        for (int i = 0; i < 4; i++) { System.gc(); try { Thread.sleep(200); } catch (InterruptedException e) { } }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        String mode = a[1];
        PolicyTranslator t = new PolicyTranslator(List.of(IpFamily.IPV4, IpFamily.IPV6), "node-1");
        long before = used();
        Object[] keep = new Object[n];
        for (int i = 0; i < n; i++) {
            Pod p = full(i);
            keep[i] = switch (mode) {
                case "full" -> p;
                case "slim" -> SlimPods.slim(p);
                case "slim+podinfo" -> { Pod s = SlimPods.slim(p); yield new Object[] {s, ((PolicyTranslator.Verdict.Use<PodInfo>) t.pod(s)).value()}; }
                default -> throw new IllegalArgumentException(mode);
            };
        }
        long after = used();
        System.out.printf("%s: %d pods, %.1f MiB, %d bytes/pod%n", mode, n, (after - before) / 1048576.0, (after - before) / n);
        if (keep.length < 0) System.out.println(keep[0]);
    }
}
