package io.podswitch.graph;

/**
 * Tunables of one worker's graph.
 *
 * @param vectorCapacity       packets per node vector (bursts larger than this are processed in chunks)
 * @param icmpErrorsPerSecond  ICMP/ICMPv6 errors a worker may send per second (token bucket rate)
 * @param icmpErrorBurst       token bucket depth
 * @param resolutionSlots      next hops that may be waiting for ARP/ND resolution at once, per family
 * @param resolutionDepth      packets held per unresolved next hop (more are dropped and counted)
 * @param retransmitNanos      at most one ARP request / NS per next hop per this interval
 * @param resolutionTimeoutNanos after this long without an answer the held packets are dropped
 */
public record L3GraphConfig(int vectorCapacity, long icmpErrorsPerSecond, long icmpErrorBurst, int resolutionSlots,
                            int resolutionDepth, long retransmitNanos, long resolutionTimeoutNanos) {
    public static final L3GraphConfig DEFAULTS =
            new L3GraphConfig(256, 1000, 100, 64, 4, 1_000_000_000L, 3_000_000_000L);

    public L3GraphConfig {
        if (vectorCapacity < 1 || vectorCapacity > 4096) {
            throw new IllegalArgumentException("vectorCapacity out of range [1, 4096]: " + vectorCapacity);
        }
        if (resolutionSlots < 1 || resolutionSlots > 4096 || resolutionDepth < 1 || resolutionDepth > 64) {
            throw new IllegalArgumentException("resolution queue out of range (slots [1, 4096], depth [1, 64]): "
                    + resolutionSlots + "x" + resolutionDepth);
        }
        if (retransmitNanos <= 0 || resolutionTimeoutNanos < retransmitNanos) {
            throw new IllegalArgumentException("need 0 < retransmit <= timeout: " + retransmitNanos + ", "
                    + resolutionTimeoutNanos);
        }
    }
}
