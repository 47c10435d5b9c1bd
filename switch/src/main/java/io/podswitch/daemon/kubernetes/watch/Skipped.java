package io.podswitch.daemon.kubernetes.watch;

/**
 * Why an API object is not applied: logged once, listed by {@code podswitch status}, counted by
 * {@code podswitch_kube_skipped_objects{resource, reason}}.
 *
 * @param reason a short lower-case code, the same for every object skipped for the same cause (a metric label:
 *               {@code no_pod_cidr}, {@code cluster_ip_outside_service_cidrs} …)
 * @param detail the sentence for the log and the status: what exactly is wrong with this object
 */
public record Skipped(String reason, String detail) {
    public Skipped {
        if (!reason.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("skip reason must be a lower-case code: " + reason);
        }
    }
}
