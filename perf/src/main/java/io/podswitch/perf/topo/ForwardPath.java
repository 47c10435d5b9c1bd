package io.podswitch.perf.topo;

/**
 * A one-way path for generated traffic: frames leave {@code genDev} in {@code genNs} addressed to
 * {@code dstMac}/{@code dstIp} and arrive, if forwarded, on {@code sinkDev} in {@code sinkNs}.
 */
public record ForwardPath(String genNs, String genDev, String srcMac, String srcIp, String dstMac, String dstIp,
                          String sinkNs, String sinkDev) {
}
