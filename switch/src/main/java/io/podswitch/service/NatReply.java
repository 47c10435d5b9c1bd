package io.podswitch.service;

/**
 * Scratch result of {@link ServiceConnTrack#findReply}: one consistent snapshot of a flow's original
 * addresses, owned by the worker that asks (one instance per worker, reused for every packet — no
 * allocation). The reply's source becomes {@code vip:vipPort}, its destination {@code client:clientPort}.
 */
public final class NatReply {
    public long clientHigh;
    public long clientLow;
    public int clientPort;
    public long vipHigh;
    public long vipLow;
    public int vipPort;
    public int service;
    /** The table holding the flow and its record there (to refresh it from the reply direction). */
    public ServiceConnTrack table;
    public int record;
}
