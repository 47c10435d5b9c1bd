package io.podswitch.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Address → what the policy tables know about it ({@link AddressInfo}): longest-prefix match over the
 * prefixes that matter to NetworkPolicy — every pod address (a host prefix), every ipBlock {@code cidr} and
 * {@code except}, this node's own addresses. Tuple space search, as in VPP's ACL plugin: one hash table per
 * distinct prefix length, probed from the longest length down; the first hit is the answer. A lookup costs
 * one probe per distinct length (pods alone: one), each probe a bounded run of at most {@link #maxProbe}
 * slots; the common case — a pod address — is the first probe.
 *
 * <pre>
 *   lengths4  [32, 24, 8]             one table per length, longest first
 *   keys4[t]  int[capacity]           address & mask(lengths4[t]), open addressing, linear probing
 *   values4[t] long[capacity]          AddressInfo value (never 0; 0 = empty slot)
 *   IPv6: keysHigh6/keysLow6 instead of keys4
 *   no prefix matches → defaultInfo (the /0 prefix when an ipBlock has one)
 * </pre>
 *
 * Immutable once built (control thread); any number of workers read it without synchronisation after it
 * was published through a volatile reference ({@link PolicyTables}). Lookups never allocate.
 */
public final class AddressClassifier {
    private final int[] lengths4;
    private final int[] masks4;
    private final int[][] keys4;
    private final long[][] values4;
    private final int[] probes4;
    private final int[] lengths6;
    private final long[] masksHigh6;
    private final long[] masksLow6;
    private final long[][] keysHigh6;
    private final long[][] keysLow6;
    private final long[][] values6;
    private final int[] probes6;
    private final long default4;
    private final long default6;

    private AddressClassifier(Builder b) {
        int n4 = b.v4.size();
        lengths4 = new int[n4];
        masks4 = new int[n4];
        keys4 = new int[n4][];
        values4 = new long[n4][];
        probes4 = new int[n4];
        int t = 0;
        for (Map.Entry<Integer, Map<Integer, Long>> e : b.v4.descendingMap().entrySet()) {
            int length = e.getKey();
            Map<Integer, Long> entries = e.getValue();
            int capacity = capacity(entries.size());
            int[] keys = new int[capacity];
            long[] values = new long[capacity];
            int maxProbe = 0;
            for (Map.Entry<Integer, Long> p : entries.entrySet()) {
                int i = slot(hash4(p.getKey(), length), capacity);
                int probe = 0;
                while (values[i] != 0) {
                    i = (i + 1) & (capacity - 1);
                    probe++;
                }
                keys[i] = p.getKey();
                values[i] = p.getValue();
                maxProbe = Math.max(maxProbe, probe);
            }
            lengths4[t] = length;
            masks4[t] = mask4(length);
            keys4[t] = keys;
            values4[t] = values;
            probes4[t] = maxProbe;
            t++;
        }
        int n6 = b.v6.size();
        lengths6 = new int[n6];
        masksHigh6 = new long[n6];
        masksLow6 = new long[n6];
        keysHigh6 = new long[n6][];
        keysLow6 = new long[n6][];
        values6 = new long[n6][];
        probes6 = new int[n6];
        t = 0;
        for (Map.Entry<Integer, Map<Key6, Long>> e : b.v6.descendingMap().entrySet()) {
            int length = e.getKey();
            Map<Key6, Long> entries = e.getValue();
            int capacity = capacity(entries.size());
            long[] high = new long[capacity];
            long[] low = new long[capacity];
            long[] values = new long[capacity];
            int maxProbe = 0;
            for (Map.Entry<Key6, Long> p : entries.entrySet()) {
                int i = slot(hash6(p.getKey().high, p.getKey().low, length), capacity);
                int probe = 0;
                while (values[i] != 0) {
                    i = (i + 1) & (capacity - 1);
                    probe++;
                }
                high[i] = p.getKey().high;
                low[i] = p.getKey().low;
                values[i] = p.getValue();
                maxProbe = Math.max(maxProbe, probe);
            }
            lengths6[t] = length;
            masksHigh6[t] = maskHigh(length);
            masksLow6[t] = maskLow(length);
            keysHigh6[t] = high;
            keysLow6[t] = low;
            values6[t] = values;
            probes6[t] = maxProbe;
            t++;
        }
        default4 = b.default4;
        default6 = b.default6;
    }

    /** The information of an IPv4 address (network byte order as an int). */
    public long lookup4(int address) {
        for (int t = 0; t < lengths4.length; t++) {
            int key = address & masks4[t];
            int[] keys = keys4[t];
            long[] values = values4[t];
            int mask = keys.length - 1;
            int i = slot(hash4(key, lengths4[t]), keys.length);
            for (int p = probes4[t]; p >= 0; p--) {
                long v = values[i];
                if (v == 0) {
                    break;
                }
                if (keys[i] == key) {
                    return v;
                }
                i = (i + 1) & mask;
            }
        }
        return default4;
    }

    /** The information of an IPv6 address. */
    public long lookup6(long high, long low) {
        for (int t = 0; t < lengths6.length; t++) {
            long kh = high & masksHigh6[t];
            long kl = low & masksLow6[t];
            long[] hs = keysHigh6[t];
            long[] ls = keysLow6[t];
            long[] values = values6[t];
            int mask = hs.length - 1;
            int i = slot(hash6(kh, kl, lengths6[t]), hs.length);
            for (int p = probes6[t]; p >= 0; p--) {
                long v = values[i];
                if (v == 0) {
                    break;
                }
                if (ls[i] == kl && hs[i] == kh) {
                    return v;
                }
                i = (i + 1) & mask;
            }
        }
        return default6;
    }

    /** Distinct prefix lengths (probes of a worst-case lookup), per family. */
    public int lengths4() {
        return lengths4.length;
    }

    public int lengths6() {
        return lengths6.length;
    }

    /** The longest probe run of any table (a bound on the slots one probe reads). */
    public int maxProbe() {
        int m = 0;
        for (int p : probes4) {
            m = Math.max(m, p);
        }
        for (int p : probes6) {
            m = Math.max(m, p);
        }
        return m + 1;
    }

    /** Bytes held by the tables. */
    public long bytes() {
        long sum = 0;
        for (int[] k : keys4) {
            sum += k.length * 12L;
        }
        for (long[] k : keysHigh6) {
            sum += k.length * 24L;
        }
        return sum;
    }

    private static int capacity(int entries) {
        return Integer.highestOneBit(Math.max(4, entries) * 2 - 1) << 1; // power of two ≥ 2 × entries: load ≤ 1/2
    }

    private static int slot(long hash, int capacity) {
        return (int) (hash >>> 32) & (capacity - 1);
    }

    private static long hash4(int key, int length) {
        return mix((key & 0xffff_ffffL) * 0x9E37_79B9_7F4A_7C15L ^ length);
    }

    private static long hash6(long high, long low, int length) {
        return mix(mix(high ^ length) ^ low);
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51_afd7_ed55_8ccdL;
        k ^= k >>> 33;
        k *= 0xc4ce_b9fe_1a85_ec53L;
        k ^= k >>> 33;
        return k;
    }

    static int mask4(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    static long maskHigh(int length) {
        return length <= 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    static long maskLow(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    private record Key6(long high, long low) {
    }

    /** Collects prefixes and their values; a prefix added twice keeps the last value. */
    public static final class Builder {
        private final TreeMap<Integer, Map<Integer, Long>> v4 = new TreeMap<>();
        private final TreeMap<Integer, Map<Key6, Long>> v6 = new TreeMap<>();
        private long default4;
        private long default6;

        public Builder(long defaultInfo) {
            check(defaultInfo);
            default4 = defaultInfo;
            default6 = defaultInfo;
        }

        /** An IPv4 prefix; length 0 sets the IPv4 default. */
        public Builder add4(int prefix, int length, long info) {
            check(info);
            if (length < 0 || length > 32) {
                throw new IllegalArgumentException("IPv4 prefix length " + length);
            }
            if (length == 0) {
                default4 = info;
            } else {
                v4.computeIfAbsent(length, l -> new HashMap<>()).put(prefix & mask4(length), info);
            }
            return this;
        }

        /** An IPv6 prefix; length 0 sets the IPv6 default. */
        public Builder add6(long high, long low, int length, long info) {
            check(info);
            if (length < 0 || length > 128) {
                throw new IllegalArgumentException("IPv6 prefix length " + length);
            }
            if (length == 0) {
                default6 = info;
            } else {
                v6.computeIfAbsent(length, l -> new HashMap<>()).put(new Key6(high & maskHigh(length), low & maskLow(length)), info);
            }
            return this;
        }

        public AddressClassifier build() {
            return new AddressClassifier(this);
        }

        /** The lengths added so far, longest first (tests). */
        List<Integer> lengths() {
            List<Integer> out = new ArrayList<>(v4.descendingKeySet());
            out.addAll(v6.descendingKeySet());
            return out;
        }

        private static void check(long info) {
            if (!AddressInfo.isPresent(info)) {
                throw new IllegalArgumentException("address info without the present bit: " + Long.toHexString(info));
            }
        }
    }
}
