package io.podswitch.perf.servicetables;

import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.Protocol;
import io.podswitch.daemon.desired.DesiredEndpoint;
import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.DesiredServicePort;
import io.podswitch.daemon.desired.ServiceId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service tables as they were before issue 12 (main at 2ba444a: {@code ServiceManager},
 * {@code ServiceTable}, {@code ServiceEntry}, {@code MaglevTable}), frozen here as the service-tables
 * benchmark's baseline. Only what decides their cost is kept, line for line where it matters:
 * <ul>
 *   <li>every (ClusterIP, port) and node-port key holds its own Maglev table of 65,537 {@code int} slots
 *       built with the paper's permutation ({@code offset + j * skip mod M}), a node port with
 *       {@code externalTrafficPolicy: Local} a second one;</li>
 *   <li>{@code put} scans every id for a duplicate key, then rebuilds the key index and the endpoint set
 *       from every entry; {@code remove} rebuilds both too;</li>
 *   <li>every change — one service's endpoints included — expands every service and compares every key.</li>
 * </ul>
 * Inputs are the same {@link DesiredService}s the current manager takes (the old manager read the cluster
 * file's model, with the same per-port, per-family expansion). Locality: the endpoint's node name.
 */
final class LegacyServiceTables {
    static final int MAGLEV_SIZE = 65537;
    private static final int NO_BACKEND = -1;
    private static final int[] NONE = new int[0];

    private final String nodeName;
    private final Entry[] byId;
    private int[] index = new int[16];
    private long[] backends = new long[16];
    private int count;
    private final Map<ServiceId, DesiredService> services = new LinkedHashMap<>();
    private final Map<Key, Published> published = new LinkedHashMap<>();
    private int generation;

    private record Key(int protocol, long high, long low, int port) {
    }

    /** The old {@code ServiceEndpoint}: ready there was the serving condition. */
    private record Endpoint(long high, long low, int port, int weight, boolean ready, boolean terminating,
                            boolean local) {
    }

    private record Desired(String name, boolean nodePort, List<Endpoint> endpoints, boolean externalLocal,
                           long affinityNanos) {
    }

    private record Published(int id, Desired desired, Entry entry) {
    }

    /** The old immutable {@code ServiceEntry}, with its two int Maglev tables. */
    private static final class Entry {
        final int id;
        final Key key;
        final long[] backendHigh;
        final long[] backendLow;
        final int[] backendPort;
        final boolean[] backendLocal;
        final List<Endpoint> endpoints;
        final int[] maglev;
        final int[] localMaglev;

        Entry(int id, Key key, List<Endpoint> endpoints, boolean externalLocal) {
            this.id = id;
            this.key = key;
            this.endpoints = List.copyOf(endpoints);
            int n = endpoints.size();
            backendHigh = new long[n];
            backendLow = new long[n];
            backendPort = new int[n];
            backendLocal = new boolean[n];
            List<Endpoint> local = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Endpoint e = endpoints.get(i);
                backendHigh[i] = e.high();
                backendLow[i] = e.low();
                backendPort[i] = e.port();
                backendLocal[i] = e.local();
                local.add(e.local() ? e : new Endpoint(e.high(), e.low(), e.port(), 0, false, false, false));
            }
            maglev = build(endpoints, MAGLEV_SIZE);
            localMaglev = externalLocal ? build(local, MAGLEV_SIZE) : maglev;
        }
    }

    /** What a change did, in keys. */
    record Change(int added, int updated, int removed) {
    }

    /** @param capacity service keys (the old daemon had 4,096; a large cluster needs more) */
    LegacyServiceTables(int capacity, String nodeName) {
        this.byId = new Entry[capacity];
        this.nodeName = nodeName;
    }

    int size() {
        return count;
    }

    /** The old {@code apply(ClusterConfig)}: the whole set of services. */
    Change replaceAll(Collection<DesiredService> all) {
        Map<ServiceId, DesiredService> next = new LinkedHashMap<>();
        for (DesiredService s : all) {
            next.put(s.id(), s);
        }
        Change change = sync(next);
        services.clear();
        services.putAll(next);
        return change;
    }

    /** The old {@code replaceBackends} (what add-backend / remove-backend ran): one service changed, all diffed. */
    Change apply(DesiredService service) {
        Map<ServiceId, DesiredService> next = new LinkedHashMap<>(services);
        next.put(service.id(), service);
        Change change = sync(next);
        services.put(service.id(), service);
        return change;
    }

    private Change sync(Map<ServiceId, DesiredService> next) {
        Map<Key, Desired> desired = new LinkedHashMap<>();
        for (DesiredService s : next.values()) {
            expand(s, desired);
        }
        BitSet taken = new BitSet();
        for (Map.Entry<Key, Published> e : published.entrySet()) {
            if (desired.containsKey(e.getKey())) {
                taken.set(e.getValue().id());
            }
        }
        Map<Key, Entry> entries = new LinkedHashMap<>();
        int added = 0;
        int updated = 0;
        for (Map.Entry<Key, Desired> e : desired.entrySet()) {
            Key key = e.getKey();
            Desired d = e.getValue();
            Published old = published.get(key);
            if (old != null && old.desired().equals(d)) {
                continue;
            }
            int id;
            if (old != null) {
                id = old.id();
                updated++;
            } else {
                id = taken.nextClearBit(0);
                if (id >= byId.length) {
                    throw new IllegalArgumentException("the service table is full (" + byId.length + " keys)");
                }
                taken.set(id);
                added++;
            }
            generation++;
            entries.put(key, new Entry(id, key, d.endpoints(), d.externalLocal()));
        }
        int removed = 0;
        for (var it = published.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Published> e = it.next();
            if (!desired.containsKey(e.getKey())) {
                remove(e.getValue().id());
                it.remove();
                removed++;
            }
        }
        for (Map.Entry<Key, Entry> e : entries.entrySet()) {
            put(e.getValue());
            published.put(e.getKey(), new Published(e.getValue().id, desired.get(e.getKey()), e.getValue()));
        }
        return new Change(added, updated, removed);
    }

    private void expand(DesiredService s, Map<Key, Desired> desired) {
        long affinity = (long) s.sessionAffinityTimeoutSeconds() * 1_000_000_000L;
        for (DesiredServicePort port : s.ports()) {
            if (port.protocol() == Protocol.SCTP) {
                continue;
            }
            int protocol = port.protocol().ipProtocolNumber();
            String portName = port.name().isEmpty() ? Integer.toString(port.port()) : port.name();
            for (IpAddress vip : s.clusterIps()) {
                List<Endpoint> endpoints = new ArrayList<>();
                for (DesiredEndpoint e : port.endpoints()) {
                    if (e.address().family() == vip.family()) {
                        long[] a = bits(e.address());
                        endpoints.add(new Endpoint(a[0], a[1], e.port(), e.weight(), e.serving(), e.terminating(),
                                nodeName.equals(e.nodeName())));
                    }
                }
                String family = vip.family() == IpFamily.IPV4 ? "v4" : "v6";
                long[] v = bits(vip);
                desired.put(new Key(protocol, v[0], v[1], port.port()), new Desired(s.id() + ":" + portName + ":"
                        + family, false, endpoints, false, affinity));
                if (port.nodePort() != 0) {
                    long[] any = bits(vip.family() == IpFamily.IPV4 ? new Ip4Address(0) : new Ip6Address(0, 0));
                    desired.put(new Key(protocol, any[0], any[1], port.nodePort()), new Desired(s.id() + ":" + portName
                            + ":" + family + ":nodeport", true, endpoints, s.externalTrafficLocal(), affinity));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ the old table

    private void put(Entry entry) {
        for (int other = 0; other < byId.length; other++) {
            Entry e = byId[other];
            if (other != entry.id && e != null && e.key.equals(entry.key)) {
                throw new IllegalArgumentException("same key");
            }
        }
        if (byId[entry.id] == null) {
            count++;
        }
        byId[entry.id] = entry;
        rebuildIndex();
    }

    private void remove(int id) {
        if (byId[id] != null) {
            count--;
        }
        byId[id] = null;
        rebuildIndex();
    }

    private void rebuildIndex() {
        int endpoints = 0;
        for (Entry e : byId) {
            if (e != null) {
                endpoints += e.backendPort.length;
            }
        }
        int size = Math.max(16, Integer.highestOneBit(Math.max(1, endpoints) * 2) << 1);
        long[] set = new long[size];
        int mask = size - 1;
        for (Entry e : byId) {
            if (e == null) {
                continue;
            }
            for (int b = 0; b < e.backendPort.length; b++) {
                long h = mix(mix(e.backendHigh[b] ^ 0x3C6E_F372_FE94_F82BL) ^ e.backendLow[b]
                        ^ ((long) e.key.protocol() << 16 | e.backendPort[b]) << 40) | 1;
                int i = (int) (h >>> 32) & mask;
                while (set[i] != 0 && set[i] != h) {
                    i = (i + 1) & mask;
                }
                set[i] = h;
            }
        }
        backends = set;
        int slotsSize = Math.max(16, Integer.highestOneBit(Math.max(1, count) * 2) << 1);
        int[] slots = new int[slotsSize];
        int slotMask = slotsSize - 1;
        for (Entry e : byId) {
            if (e == null) {
                continue;
            }
            int i = (int) (mix(e.key.high() ^ mix(e.key.low() ^ ((long) e.key.protocol() << 16 | e.key.port()))) >>> 32)
                    & slotMask;
            while (slots[i] != 0) {
                i = (i + 1) & slotMask;
            }
            slots[i] = e.id + 1;
        }
        index = slots;
    }

    // ------------------------------------------------------------------------------ the old Maglev

    private static int[] build(List<Endpoint> backends, int size) {
        int[] eligible = eligible(backends);
        if (eligible.length == 0) {
            return NONE;
        }
        int n = eligible.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        int[] weight = new int[n];
        for (int k = 0; k < n; k++) {
            Endpoint b = backends.get(eligible[k]);
            offset[k] = Long.remainderUnsigned(mix(mix(b.high() ^ 0x6A09_E667_F3BC_C908L) ^ b.low()
                    ^ ((long) b.port() << 48)), size);
            skip[k] = Long.remainderUnsigned(mix(mix(b.low() ^ 0xBB67_AE85_84CA_A73BL) ^ b.high() ^ b.port()),
                    size - 1) + 1;
            weight[k] = b.weight();
        }
        int[] slots = new int[size];
        Arrays.fill(slots, NO_BACKEND);
        int filled = 0;
        while (true) {
            for (int k = 0; k < n; k++) {
                for (int turn = 0; turn < weight[k]; turn++) {
                    int slot;
                    do {
                        slot = (int) ((offset[k] + next[k] * skip[k]) % size);
                        next[k]++;
                    } while (slots[slot] != NO_BACKEND);
                    slots[slot] = eligible[k];
                    if (++filled == size) {
                        return slots;
                    }
                }
            }
        }
    }

    private static int[] eligible(List<Endpoint> backends) {
        int[] serving = indicesOf(backends, false);
        int[] chosen = serving.length > 0 ? serving : indicesOf(backends, true);
        Comparator<Integer> canonical = (a, b) -> {
            Endpoint x = backends.get(a);
            Endpoint y = backends.get(b);
            int c = Long.compareUnsigned(x.high(), y.high());
            if (c == 0) {
                c = Long.compareUnsigned(x.low(), y.low());
            }
            if (c == 0) {
                c = Integer.compare(x.port(), y.port());
            }
            return c != 0 ? c : Integer.compare(a, b);
        };
        return Arrays.stream(chosen).boxed().sorted(canonical).mapToInt(Integer::intValue).toArray();
    }

    private static int[] indicesOf(List<Endpoint> backends, boolean terminating) {
        int[] indices = new int[backends.size()];
        int count = 0;
        for (int i = 0; i < backends.size(); i++) {
            Endpoint b = backends.get(i);
            if (b.weight() > 0 && b.ready() && b.terminating() == terminating) {
                indices[count++] = i;
            }
        }
        return Arrays.copyOf(indices, count);
    }

    private static long[] bits(IpAddress address) {
        return switch (address) {
            case Ip4Address a -> new long[] {0L, 0x0000_ffff_0000_0000L | (a.value() & 0xffff_ffffL)};
            case Ip6Address a -> new long[] {a.high(), a.low()};
        };
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51_afd7_ed55_8ccdL;
        k ^= k >>> 33;
        k *= 0xc4ce_b9fe_1a85_ec53L;
        k ^= k >>> 33;
        return k;
    }
}
