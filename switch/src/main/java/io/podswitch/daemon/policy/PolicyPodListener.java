package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NamespacedName;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.daemon.pod.PodListener;
import io.podswitch.daemon.pod.PodRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds the pods wired on this node to the {@link PolicyManager}: who each is (from CNI_ARGS) and the
 * addresses its ADD gave it. A failure to compile is logged and never fails the ADD (the previous tables stay
 * in force; the pod is then unknown to them, as a pod the runtime did not name).
 */
public final class PolicyPodListener implements PodListener {
    private final PolicyManager manager;

    public PolicyPodListener(PolicyManager manager) {
        this.manager = manager;
    }

    @Override
    public void wired(PodRecord record) {
        List<IpAddress> addresses = new ArrayList<>();
        for (InetAddress a : record.addresses()) {
            addresses.add(IpAddress.parse(IpAddresses.format(a)));
        }
        NamespacedName pod = record.pod().isEmpty() ? null : NamespacedName.parse(record.pod());
        try {
            manager.attached(key(record), new PolicyManager.LocalPod(pod, addresses));
        } catch (RuntimeException e) {
            DaemonLog.warn("policy: cannot compile the tables with pod " + record.pod() + " " + addresses, e);
        }
    }

    @Override
    public void unwired(PodRecord record) {
        try {
            manager.detached(key(record));
        } catch (RuntimeException e) {
            DaemonLog.warn("policy: cannot compile the tables without pod " + record.pod(), e);
        }
    }

    private static String key(PodRecord record) {
        return record.attachment().containerId() + "/" + record.attachment().ifName();
    }
}
