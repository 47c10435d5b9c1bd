package io.podswitch.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Connectivity checks over a running cluster that collect every failure instead of stopping at the
 * first, so one run shows the whole picture (which pairs, which families, which protocol).
 */
final class ClusterChecks {
    static final int ECHO_PORT = 7007;

    private final ClusterHarness h;
    private final List<String> failures = new ArrayList<>();
    private int checks;

    ClusterChecks(ClusterHarness h) {
        this.h = h;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    int checks() {
        return checks;
    }

    void expect(boolean ok, String what) {
        checks++;
        if (!ok) {
            failures.add(what);
        }
    }

    void expectNull(String failure) {
        checks++;
        if (failure != null) {
            failures.add(failure);
        }
    }

    /** One ping from every pod to every other pod, per family; six at a time (each one mostly waits). */
    void pingEveryPair() throws InterruptedException {
        List<String[]> pings = new ArrayList<>();
        for (ClusterPod from : h.pods()) {
            for (ClusterPod to : h.pods()) {
                if (from != to) {
                    for (String f : h.layout().families()) {
                        pings.add(new String[] {from.netns(), to.address(f), "ping " + from.name() + " → " + to.name() + " " + f});
                    }
                }
            }
        }
        List<java.util.concurrent.Callable<Boolean>> tasks = new ArrayList<>();
        for (String[] p : pings) {
            tasks.add(() -> ClusterHarness.ping(p[0], p[1]));
        }
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            List<java.util.concurrent.Future<Boolean>> results = pool.invokeAll(tasks);
            for (int i = 0; i < pings.size(); i++) {
                boolean ok;
                try {
                    ok = results.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    ok = false;
                }
                expect(ok, pings.get(i)[2]);
            }
        }
    }

    /** TCP (64 KiB echoed) and UDP (one 1000-byte datagram echoed) from every pod to every other pod, per family. */
    void tcpAndUdpEveryPair() {
        for (ClusterPod to : h.pods()) {
            h.echo(to, ECHO_PORT);
        }
        for (ClusterPod from : h.pods()) {
            for (ClusterPod to : h.pods()) {
                if (from != to) {
                    for (String f : h.layout().families()) {
                        expectNull(PodEcho.tcpRoundTrip(from.netns(), to.address(f), ECHO_PORT, 65536));
                        expectNull(PodEcho.udpRoundTrip(from.netns(), to.address(f), ECHO_PORT, 1000));
                    }
                }
            }
        }
    }

    /** Every pod pings every node it does not run on, and every node pings every pod of the other nodes, per family. */
    void podsAndRemoteNodes() {
        for (ClusterPod pod : h.pods()) {
            for (ClusterNode node : h.nodes()) {
                if (node.index() != pod.node()) {
                    for (String f : h.layout().families()) {
                        expect(ClusterHarness.ping(pod.netns(), node.address(f)), "ping pod " + pod.name() + " → node " + node.name() + " " + f);
                        expect(ClusterHarness.ping(node.netns(), pod.address(f)), "ping node " + node.name() + " → pod " + pod.name() + " " + f);
                    }
                }
            }
        }
    }

    String report() {
        return failures.size() + " of " + checks + " checks failed: " + String.join("; ", failures);
    }
}
