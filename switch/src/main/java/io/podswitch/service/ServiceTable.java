package io.podswitch.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;

import org.agrona.collections.Long2LongHashMap;

/**
 * Service keys → {@link ServiceEntry}. One writer (the control thread), many lock-free readers (the
 * workers). Every change costs O(1) amortized plus the changed entries' endpoints — never a pass over the
 * other keys — so a table of 100,000 keys takes a single-service change as fast as a table of ten.
 *
 * <p><b>Key index</b> (what workers read): open addressing over entry references, linear probing, at most
 * half full counting tombstones.
 * <pre>
 *   index[hash(protocol, address, port) &amp; mask ...]:  null (end of probe) | TOMBSTONE (removed) | entry
 * </pre>
 * A new entry goes into the first null or tombstone slot of its probe sequence, a changed entry replaces its
 * predecessor in place, a removed one becomes a tombstone — each one release store. Nothing ever moves while
 * the array is published (no backward-shift deletion), so a reader scanning a probe sequence can miss only
 * the entry being changed at that instant, never one that stays. When tombstones and entries reach half the
 * array, a new array sized for four times the live entries is built and published with one release store;
 * a worker still holding the old one sees a complete, merely slightly old table for the rest of its vector
 * (entries are immutable; the garbage collector reclaims the old array once nobody holds it, as QSBR would).
 *
 * <p><b>Endpoint filter</b> ({@link #isBackend}): every published entry's endpoints as 64-bit hashes (low bit
 * set; 0 empty, 2 tombstone) in the same kind of array, in front of the reply lookup, which only a packet from
 * an endpoint can need. The control thread counts references per hash (an endpoint serves several keys),
 * inserting on the first and tombstoning on the last.
 *
 * <p><b>Ids</b> (counters, conntrack pins) grow with the table up to {@code maxKeys}; the manager assigns
 * them ({@link #freeId(int)}).
 *
 * <p>Key: (protocol, 128-bit address, port). VIPs and external IPs are keyed with their address; node ports
 * with the family's unspecified address ({@code ::ffff:0.0.0.0} for IPv4, {@code ::} for IPv6), see
 * {@link ServiceKind#NODE_PORT}.
 */
public final class ServiceTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ServiceEntry[].class);
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INDEX;
    private static final VarHandle FILTER;
    private static final ServiceEntry TOMBSTONE = new ServiceEntry(-1, "(removed)", ServiceKind.CLUSTER_IP,
            ServiceEntry.TCP, -1L, -1L, 1, List.of(), false, 0, 0, 3);
    private static final long FILTER_TOMBSTONE = 2;
    private static final int INITIAL_IDS = 1024;

    static {
        try {
            INDEX = MethodHandles.lookup().findVarHandle(ServiceTable.class, "index", ServiceEntry[].class);
            FILTER = MethodHandles.lookup().findVarHandle(ServiceTable.class, "filter", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The IPv4 node-port key address (the IPv4-mapped unspecified address). */
    public static final long NODE_PORT4_LOW = FlowHash.ipv4MappedLow(0);

    private final int maxKeys;
    private final ServiceCounters counters;
    /** Control thread only: entries by id. */
    private ServiceEntry[] byId;
    private int count;
    @SuppressWarnings("unused")
    private ServiceEntry[] index = new ServiceEntry[16];
    /** Index slots that are not null (entries and tombstones). */
    private int indexUsed;
    @SuppressWarnings("unused")
    private long[] filter = new long[16];
    private int filterUsed;
    /** Control thread only: endpoint hash → number of published entries listing it. */
    private final Long2LongHashMap endpointRefs = new Long2LongHashMap(0L);

    /**
     * @param maxKeys service keys the table may hold (ids 0..maxKeys-1); memory grows with the keys held
     * @param workers workers that count per-service traffic
     */
    public ServiceTable(int maxKeys, int workers) {
        if (maxKeys < 1 || maxKeys > 1 << 24) {
            throw new IllegalArgumentException("service table capacity out of range [1, 16777216]: " + maxKeys);
        }
        this.maxKeys = maxKeys;
        int initial = Math.min(maxKeys, INITIAL_IDS);
        byId = new ServiceEntry[initial];
        counters = new ServiceCounters(workers, initial);
    }

    /** Ids currently allocated (grows up to {@link #maxKeys()}). */
    public int capacity() {
        return byId.length;
    }

    public int maxKeys() {
        return maxKeys;
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
     * is rejected: the data path could not tell them apart. A key new to the id gets zeroed counters.
     */
    public void put(ServiceEntry entry) {
        int id = entry.id();
        if (id < 0 || id >= maxKeys) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + maxKeys + ")");
        }
        ServiceEntry same = lookup(entry.protocol(), entry.addressHigh(), entry.addressLow(), entry.port());
        if (same != null && same.id() != id) {
            throw new IllegalArgumentException(entry + " has the same key as " + same);
        }
        ensureIds(id + 1);
        ServiceEntry old = byId[id];
        addEndpoints(entry);
        if (old != null && sameKey(old, entry)) {
            SLOT.setRelease(index, slotOf(old), entry);
        } else {
            if (old != null) {
                // The id moves to another key: the old key leaves the index first (a rebuild while
                // inserting must not carry it over).
                SLOT.setRelease(index, slotOf(old), TOMBSTONE);
                byId[id] = null;
                count--;
            }
            count++;
            // A key new to this id starts its counters from zero (the id may have served another key).
            counters.reset(id);
            insert(entry);
        }
        byId[id] = entry;
        if (old != null) {
            removeEndpoints(old);
        }
    }

    /** Control thread: unpublishes an id (no-op if empty). */
    public void remove(int id) {
        if (id < 0 || id >= maxKeys) {
            throw new IllegalArgumentException("service id " + id + " outside [0, " + maxKeys + ")");
        }
        ServiceEntry old = id < byId.length ? byId[id] : null;
        if (old == null) {
            return;
        }
        SLOT.setRelease(index, slotOf(old), TOMBSTONE);
        byId[id] = null;
        count--;
        removeEndpoints(old);
    }

    /** Control thread: the lowest free id, or -1 when the table is full. */
    public int freeId() {
        return freeId(0);
    }

    /** Control thread: the lowest free id at or above {@code from}, or -1 when there is none below the maximum. */
    public int freeId(int from) {
        for (int i = Math.max(0, from); i < byId.length; i++) {
            if (byId[i] == null) {
                return i;
            }
        }
        int next = Math.max(from, byId.length);
        return next < maxKeys ? next : -1;
    }

    /** The entry in an id slot, or null (control thread; stats and views). */
    public ServiceEntry get(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** Worker: the entry for this IPv4 key, or null. */
    public ServiceEntry find4(int protocol, int address, int port) {
        return find(protocol, FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(address), port);
    }

    /** Worker: the entry for this key, or null. Allocation-free. */
    public ServiceEntry find(int protocol, long high, long low, int port) {
        return probe((ServiceEntry[]) INDEX.getAcquire(this), protocol, high, low, port);
    }

    private ServiceEntry lookup(int protocol, long high, long low, int port) {
        return probe(index, protocol, high, low, port);
    }

    private static ServiceEntry probe(ServiceEntry[] slots, int protocol, long high, long low, int port) {
        int mask = slots.length - 1;
        for (int i = hash(protocol, high, low, port) & mask; ; i = (i + 1) & mask) {
            ServiceEntry e = (ServiceEntry) SLOT.getAcquire(slots, i);
            if (e == null) {
                return null;
            }
            if (e != TOMBSTONE && e.port() == port && e.protocol() == protocol && e.addressLow() == low
                    && e.addressHigh() == high) {
                return e;
            }
        }
    }

    /**
     * Worker: whether a packet from this (protocol, address, port) may be a reply of a service flow, i.e. it
     * comes from an endpoint of a published entry. Allocation-free; false positives only on a hash collision.
     */
    public boolean isBackend(int protocol, long high, long low, int port) {
        long[] set = (long[]) FILTER.getAcquire(this);
        int mask = set.length - 1;
        long h = backendHash(protocol, high, low, port);
        for (int i = (int) (h >>> 32) & mask; ; i = (i + 1) & mask) {
            long v = (long) WORD.getAcquire(set, i);
            if (v == 0) {
                return false;
            }
            if (v == h) {
                return true;
            }
        }
    }

    // ------------------------------------------------------------------------------ control thread

    private void ensureIds(int ids) {
        if (ids > byId.length) {
            int grown = (int) Math.min(maxKeys, Math.max(ids, 2L * byId.length));
            byId = Arrays.copyOf(byId, grown);
            counters.ensureCapacity(grown);
        }
    }

    private void insert(ServiceEntry entry) {
        if ((indexUsed + 1) * 2 > index.length) {
            rebuildIndex(count);
        }
        ServiceEntry[] slots = index;
        int mask = slots.length - 1;
        int i = hash(entry.protocol(), entry.addressHigh(), entry.addressLow(), entry.port()) & mask;
        while (slots[i] != null && slots[i] != TOMBSTONE) {
            i = (i + 1) & mask;
        }
        if (slots[i] == null) {
            indexUsed++;
        }
        SLOT.setRelease(slots, i, entry);
    }

    private int slotOf(ServiceEntry entry) {
        ServiceEntry[] slots = index;
        int mask = slots.length - 1;
        for (int i = hash(entry.protocol(), entry.addressHigh(), entry.addressLow(), entry.port()) & mask; ;
             i = (i + 1) & mask) {
            if (slots[i] == entry) {
                return i;
            }
            if (slots[i] == null) {
                throw new IllegalStateException(entry + " is not in the index");
            }
        }
    }

    /** A fresh index for {@code live} entries (plus the one being inserted), at most a quarter full. */
    private void rebuildIndex(int live) {
        int size = 16;
        while (size < 4L * (live + 1)) {
            size <<= 1;
        }
        ServiceEntry[] slots = new ServiceEntry[size];
        int mask = size - 1;
        int used = 0;
        for (ServiceEntry e : byId) {
            if (e == null) {
                continue;
            }
            int i = hash(e.protocol(), e.addressHigh(), e.addressLow(), e.port()) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = e;
            used++;
        }
        indexUsed = used;
        INDEX.setRelease(this, slots);
    }

    private void addEndpoints(ServiceEntry e) {
        ServiceBackends b = e.backends();
        for (int i = 0; i < b.count(); i++) {
            long h = backendHash(e.protocol(), b.high(i), b.low(i), b.port(i));
            long refs = endpointRefs.get(h);
            if (refs == 0) {
                filterInsert(h);
            }
            endpointRefs.put(h, refs + 1);
        }
    }

    private void removeEndpoints(ServiceEntry e) {
        ServiceBackends b = e.backends();
        for (int i = 0; i < b.count(); i++) {
            long h = backendHash(e.protocol(), b.high(i), b.low(i), b.port(i));
            long refs = endpointRefs.get(h);
            if (refs <= 1) {
                endpointRefs.remove(h);
                filterDelete(h);
            } else {
                endpointRefs.put(h, refs - 1);
            }
        }
    }

    private void filterInsert(long h) {
        if ((filterUsed + 1) * 2 > filter.length) {
            rebuildFilter();
        }
        long[] set = filter;
        int mask = set.length - 1;
        int i = (int) (h >>> 32) & mask;
        while (set[i] != 0 && set[i] != FILTER_TOMBSTONE) {
            i = (i + 1) & mask;
        }
        if (set[i] == 0) {
            filterUsed++;
        }
        WORD.setRelease(set, i, h);
    }

    private void filterDelete(long h) {
        long[] set = filter;
        int mask = set.length - 1;
        for (int i = (int) (h >>> 32) & mask; set[i] != 0; i = (i + 1) & mask) {
            if (set[i] == h) {
                WORD.setRelease(set, i, FILTER_TOMBSTONE);
                return;
            }
        }
    }

    /** A fresh filter for the referenced hashes (plus the one being inserted), at most a quarter full. */
    private void rebuildFilter() {
        int size = 16;
        while (size < 4L * (endpointRefs.size() + 1)) {
            size <<= 1;
        }
        long[] set = new long[size];
        int mask = size - 1;
        endpointRefs.forEachLong((h, refs) -> {
            int i = (int) (h >>> 32) & mask;
            while (set[i] != 0) {
                i = (i + 1) & mask;
            }
            set[i] = h;
        });
        filterUsed = endpointRefs.size();
        FILTER.setRelease(this, set);
    }

    private static long backendHash(int protocol, long high, long low, int port) {
        return FlowHash.mix(FlowHash.mix(high ^ 0x3C6E_F372_FE94_F82BL) ^ low ^ ((long) protocol << 16 | port) << 40) | 1;
    }

    private static boolean sameKey(ServiceEntry a, ServiceEntry b) {
        return a.protocol() == b.protocol() && a.port() == b.port() && a.addressHigh() == b.addressHigh()
            && a.addressLow() == b.addressLow();
    }

    private static int hash(int protocol, long high, long low, int port) {
        return (int) (FlowHash.mix(high ^ FlowHash.mix(low ^ ((long) protocol << 16 | port))) >>> 32);
    }
}
