package io.podswitch.daemon.kubernetes.nodes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Tells Kubernetes this node's network is up: the Node's {@code NetworkUnavailable} condition set to False,
 * as Calico ({@code CalicoIsUp}) and Flannel ({@code FlannelIsUp}) do once their data plane runs. Cloud
 * providers set it to True on new nodes and the scheduler keeps pods off such nodes until a network plugin
 * clears it. A strategic merge patch of the {@code status} subresource: the list merges by condition type, so
 * the kubelet's own conditions stay.
 */
public final class NetworkCondition {
    public static final String TYPE = "NetworkUnavailable";
    public static final String REASON = "PodswitchIsUp";
    public static final String MESSAGE = "podswitch is running on this node";

    private NetworkCondition() {
    }

    /**
     * The patch body: {@code {"status":{"conditions":[{type, status False, reason, message, times}]}}}, written
     * out by hand so that it holds exactly these fields (a serialized NodeStatus would carry empty lists that a
     * patch would apply).
     */
    static String patch(Instant now) {
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return "{\"status\":{\"conditions\":[{\"type\":\"" + TYPE + "\",\"status\":\"False\",\"reason\":\"" + REASON
                + "\",\"message\":\"" + MESSAGE + "\",\"lastTransitionTime\":\"" + time + "\",\"lastHeartbeatTime\":\""
                + time + "\"}]}}";
    }

    /** Patches the condition now; throws what the client throws (the caller retries). */
    public static void markAvailable(KubernetesClient client, String nodeName) {
        client.nodes().withName(nodeName).subresource("status")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch(Instant.now()));
    }
}
