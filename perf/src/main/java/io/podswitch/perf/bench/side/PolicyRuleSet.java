package io.podswitch.perf.bench.side;

/**
 * The NetworkPolicy the policy scenario programs, identically on every subject: one policy selecting the
 * server pod for ingress with {@code rules} rules, rule i allowing TCP {@value #PORT} and {@value #IPERF_PORT}
 * from one address of 172.16.0.0/16 that no pod has (each a distinct ipBlock /32), and — when
 * {@code clientAllowed} — a last rule allowing the client pod by label ({@code app=client}). The client's
 * connections therefore pass only after every other rule was considered: the worst case for a list of
 * rules. {@code rules == 0}: no policy at all.
 */
public record PolicyRuleSet(int rules, boolean clientAllowed) {
    public static final int PORT = 8080;
    public static final int IPERF_PORT = 5201;

    public PolicyRuleSet {
        if (rules < 0 || rules > 65_000) {
            throw new IllegalArgumentException("rules " + rules + " outside 0..65000");
        }
    }

    public boolean none() {
        return rules == 0;
    }

    /** The source address rule {@code i} (0-based) allows: 172.16.x.y, never a pod's. */
    public static String blockedSource(int i) {
        int n = i + 1;
        return "172.16." + (n >>> 8 & 0xff) + "." + (n & 0xff);
    }
}
