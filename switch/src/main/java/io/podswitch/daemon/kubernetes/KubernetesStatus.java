package io.podswitch.daemon.kubernetes;

import io.podswitch.daemon.kubernetes.services.ClusterServices;
import io.podswitch.daemon.kubernetes.services.ProgrammingLatency;
import io.podswitch.daemon.kubernetes.watch.Skipped;
import io.podswitch.daemon.kubernetes.watch.WatchHealth;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes source as {@code podswitch status} shows it.
 *
 * @param server       the API server URL
 * @param connected    every watch is established now
 * @param synced       every informer has listed and every reconciler has applied what it listed since
 * @param staleMillis  0 when connected; else how long the oldest broken watch has been down: how old the
 *                     data path's view of the cluster may be (the data path keeps serving it meanwhile)
 * @param peers        other nodes routed to (as of the last batch)
 * @param skippedNodes Node objects podswitch does not route to, with the reason
 * @param services     services served, not proxied by design, not servable (with the reason)
 * @param programming  network programming latency of EndpointSlice changes since start
 */
public record KubernetesStatus(String server, boolean connected, boolean synced, long staleMillis,
                               List<WatchHealth> watches, List<ReconcilerView> reconcilers, int peers,
                               Map<String, Skipped> skippedNodes, ClusterServices.Counts services,
                               ProgrammingLatency.Summary programming) {

    /** One reconciler's work so far. */
    public record ReconcilerView(String name, int pending, long batches, long keys) {
    }
}
