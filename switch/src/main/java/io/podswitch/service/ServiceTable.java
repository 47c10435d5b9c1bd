package io.podswitch.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Service keys → {@link ServiceEntry}. One writer (the control thread), many lock-free readers (the
 * workers), as {@code overlay.PeerTable}: each id slot holds an immutable entry published with a release
 * store and read with an acquire load; the key index is an immutable open-addressing table (entry id + 1
 * per slot, 0 empty, load factor at most 1/2) rebuilt on every change and published the same way. A worker
 * holding an old index may land on an id whose entry changed; comparing the full key after the lookup
 * catches that (a miss). Lookups do not allocate.
 *
 * <p>Key: (protocol, 128-bit address, port). VIPs are keyed with their address; node ports with the
 * family's unspecified address ({@code ::ffff:0.0.0.0} for IPv4, {@code ::} for IPv6), see
 * {@link ServiceKind#NODE_PORT}.
 */
public final class ServiceTable {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(ServiceEntry[].class);
    private static final VarHandle INDEX;

    static {
        try {
            INDEX = MethodHandles.lookup().findVarHandle(ServiceTable.class, "index", int[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The IPv4 node-port key address (the IPv4-mapped unspecified address). */
    public static final long NODE_PORT4_LOW = FlowHash.ipv4MappedLow(0);

    private final ServiceEntry[] byId;
    private final ServiceCounters counters;
    @SuppressWarnings("unused")
    private int[] index = new int[16];
    private int count;

    /**
     * @param capacity service keys (ids 0..capacity-1)
     * @param workers  workers that count per-service traffic
     */
    public ServiceTable(int capacity, int workers) {
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("service table capacity out of range [1, 1048576]: " + capacity);
        }
        byId = new ServiceEntry[capacity];
        counters = new ServiceCounters(workers, capacity);
    }

    public int capacity() {
        return byId.length;
    }

    public ServiceCounters counters() {
        return counters;
    }

    /** Number of entries published. */
    public int size() {
        return count;
    }

    /**
     * Control thread: publishes (or replaces) the entry in its id slot. Another entry with the same key
     * is rejected: the data path could not tell them apart.
     */
    public void put(ServiceEntry entry) {
        int id = entry.id();
        if (id < 0 || id >= byId.length) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + byId.length + ")");
        }
        for (int other = 0; other < byId.length; other++) {
            ServiceEntry e = byId[other];
            if (other != id && e != null && sameKey(e, entry)) {
                throw new IllegalArgumentException(entry + " has the same key as " + e);
            }
        }
        if (byId[id] == null) {
            count++;
        }
        SLOTS.setRelease(byId, id, entry);
        rebuildIndex();
    }

    /** Control thread: unpublishes an id (no-op if empty). */
    public void remove(int id) {
        if (id < 0 || id >= byId.length) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + byId.length + ")");
        }
        if (byId[id] != null) {
            count--;
        }
        SLOTS.setRelease(byId, id, (ServiceEntry) null);
        rebuildIndex();
    }

    /** Control thread: the lowest free id, or -1 when the table is full. */
    public int freeId() {
        for (int i = 0; i < byId.length; i++) {
            if (byId[i] == null) {
                return i;
            }
        }
        return -1;
    }

    /** The entry in an id slot, or null. */
    public ServiceEntry get(int id) {
        return id >= 0 && id < byId.length ? (ServiceEntry) SLOTS.getAcquire(byId, id) : null;
    }

    /** Worker: the entry for this IPv4 key, or null. */
    public ServiceEntry find4(int protocol, int address, int port) {
        return find(protocol, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(address), port);
    }

    /** Worker: the entry for this key, or null. Allocation-free. */
    public ServiceEntry find(int protocol, long high, long low, int port) {
        int[] slots = (int[]) INDEX.getAcquire(this);
        int mask = slots.length - 1;
        for (int i = hash(protocol, high, low, port) & mask; ; i = (i + 1) & mask) {
            int entry = slots[i];
            if (entry == 0) {
                return null;
            }
            ServiceEntry e = get(entry - 1);
            if (e != null && e.port() == port && e.protocol() == protocol && e.addressLow() == low
                && e.addressHigh() == high) {
                return e;
            }
        }
    }

    private void rebuildIndex() {
        int size = Math.max(16, Integer.highestOneBit(Math.max(1, count) * 2) << 1);
        int[] slots = new int[size];
        int mask = size - 1;
        for (ServiceEntry e : byId) {
            if (e == null) {
                continue;
            }
            int i = hash(e.protocol(), e.addressHigh(), e.addressLow(), e.port()) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = e.id() + 1;
        }
        INDEX.setRelease(this, slots);
    }

    private static boolean sameKey(ServiceEntry a, ServiceEntry b) {
        return a.protocol() == b.protocol() && a.port() == b.port() && a.addressHigh() == b.addressHigh()
            && a.addressLow() == b.addressLow();
    }

    private static int hash(int protocol, long high, long low, int port) {
        return (int) (FlowHash.mix(high ^ FlowHash.mix(low ^ ((long) protocol << 16 | port))) >>> 32);
    }
}
