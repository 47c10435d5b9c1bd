package io.podswitch.daemon.policy;

import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.policy.NetworkPolicy;
import io.podswitch.config.model.policy.PodInfo;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.policy.DenyLog;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the workers' deny samples (already rate-limited in the data path, {@link DenyLog}) into log lines with
 * their policy context, on the control thread:
 * <pre>
 * policy: denied ingress TCP 10.244.2.5:40000 (y/c) → 10.244.1.7:81 (x/a): x/a's ingress is isolated by
 *   x/allow-c-80, x/deny-all and no rule of theirs allows it
 * </pre>
 */
public final class DenyLogger {
    private final PolicyManager manager;
    private final List<DenyLog> logs;
    private final Consumer<String> out;

    public DenyLogger(PolicyManager manager, List<DenyLog> logs) {
        this(manager, logs, line -> DaemonLog.info(line));
    }

    DenyLogger(PolicyManager manager, List<DenyLog> logs, Consumer<String> out) {
        this.manager = manager;
        this.logs = List.copyOf(logs);
        this.out = out;
    }

    /** Logs every sample the workers wrote since the last call. */
    public void drain() {
        for (DenyLog log : logs) {
            log.drain(this::log);
        }
    }

    private void log(DenyLog.Sample s) {
        IpAddress src = address(s.ipv6(), s.srcHigh(), s.srcLow());
        IpAddress dst = address(s.ipv6(), s.dstHigh(), s.dstLow());
        PodInfo from = manager.podAt(src);
        PodInfo to = manager.podAt(dst);
        PodInfo isolated = s.egress() ? from : to;
        StringBuilder line = new StringBuilder("policy: denied ").append(s.egress() ? "egress " : "ingress ")
                .append(protocol(s.protocol())).append(' ').append(endpoint(src, s.sport(), s.ipv6(), s.protocol()));
        line.append(from == null ? "" : " (" + from.id() + ")").append(" → ")
                .append(endpoint(dst, s.dport(), s.ipv6(), s.protocol())).append(to == null ? "" : " (" + to.id() + ")");
        if (s.revoked()) {
            line.append(", an established connection no longer allowed");
        }
        if (isolated != null) {
            List<NetworkPolicy> by = manager.isolating(isolated, !s.egress());
            line.append(": ").append(isolated.id()).append("'s ").append(s.egress() ? "egress" : "ingress")
                    .append(" is isolated by ").append(String.join(", ", by.stream().map(p -> p.id().toString()).toList()))
                    .append(" and no rule of theirs allows it");
        }
        out.accept(line.toString());
    }

    private static IpAddress address(boolean ipv6, long high, long low) {
        return ipv6 ? new Ip6Address(high, low) : new Ip4Address((int) low);
    }

    private static String protocol(int p) {
        return switch (p) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            case 1 -> "ICMP";
            case 58 -> "ICMPv6";
            default -> "protocol " + p;
        };
    }

    private static String endpoint(IpAddress a, int port, boolean ipv6, int protocol) {
        boolean ports = protocol == 6 || protocol == 17 || protocol == 132;
        if (!ports) {
            return a.toString();
        }
        return ipv6 ? "[" + a + "]:" + port : a + ":" + port;
    }
}
