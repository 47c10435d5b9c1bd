package io.podswitch.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What one table allows one peer class: a set of (protocol, port range) each with the policy that allows
 * it, or every protocol. Interned: every (table, class) cell of {@link CompiledPolicy} holds the id of one
 * of these, and identical sets share an id (set {@link #DENY} = nothing).
 *
 * <pre>
 *   set s:  anyPolicy[s]            policy allowing every protocol and port (a rule without ports), or -1
 *           allPorts[s*3 + k]       a packet of protocol k (TCP 0, UDP 1, SCTP 2) without ports (a fragment):
                                   allowed when its segments cover every port or anyPolicy is set (the
                                   lowest policy involved), else -1
 *           begin[s*3 + k], end[..] its disjoint, sorted segments of protocol k in the range arrays:
 *   ranges: start[i] end[i] policy[i]   ports start..end (inclusive) allowed by policy
 * </pre>
 *
 * A segment's policy is the lowest policy id allowing its ports (the one its traffic is counted against).
 * A lookup is at most one binary search over one protocol's segments of one set: bounded by log2 of the
 * largest set, never a walk over rules.
 */
public final class PortSets {
    /** The empty set: nothing allowed. */
    public static final int DENY = 0;
    /** Returned by the matchers when nothing allows the packet. */
    public static final int DENIED = -1;
    static final int PROTOCOLS = 3;

    private final int[] anyPolicy;
    private final int[] allPorts;
    private final int[] begin;
    private final int[] end;
    private final int[] rangeStart;
    private final int[] rangeEnd;
    private final int[] rangePolicy;

    private PortSets(Builder b) {
        int n = b.sets.size();
        anyPolicy = new int[n];
        allPorts = new int[n * PROTOCOLS];
        begin = new int[n * PROTOCOLS];
        end = new int[n * PROTOCOLS];
        int ranges = 0;
        for (Canonical c : b.sets) {
            ranges += c.segments().length / 3;
        }
        rangeStart = new int[ranges];
        rangeEnd = new int[ranges];
        rangePolicy = new int[ranges];
        int r = 0;
        for (int s = 0; s < n; s++) {
            Canonical c = b.sets.get(s);
            anyPolicy[s] = c.anyPolicy();
            int[] seg = c.segments();
            int i = 0;
            for (int k = 0; k < PROTOCOLS; k++) {
                begin[s * PROTOCOLS + k] = r;
                int covered = 0; // segments are sorted and disjoint: they cover every port if they chain 0..65535
                int lowest = Integer.MAX_VALUE;
                while (i < seg.length && seg[i] >> 17 == k) {
                    rangeStart[r] = seg[i] & 0x1ffff;
                    rangeEnd[r] = seg[i + 1];
                    rangePolicy[r] = seg[i + 2];
                    covered = rangeStart[r] == covered ? rangeEnd[r] + 1 : -1;
                    lowest = Math.min(lowest, rangePolicy[r]);
                    r++;
                    i += 3;
                }
                end[s * PROTOCOLS + k] = r;
                // A packet without ports is allowed where every port is: by segments covering them all, or by
                // the any-rule; counted against the lowest policy allowing some of its ports.
                int every = covered == 0x10000 ? lowest : -1;
                if (anyPolicy[s] >= 0) {
                    every = Math.min(anyPolicy[s], lowest);
                }
                allPorts[s * PROTOCOLS + k] = every;
            }
        }
    }

    /** TCP → 0, UDP → 1, SCTP → 2, anything else → -1 (only a rule without ports allows it). */
    public static int protocolIndex(int ipProtocol) {
        return switch (ipProtocol) {
            case 6 -> 0;
            case 17 -> 1;
            case 132 -> 2;
            default -> -1;
        };
    }

    /** The policy allowing (IP protocol, destination port) in set {@code set}, or {@link #DENIED}. */
    public int match(int set, int ipProtocol, int port) {
        int k = protocolIndex(ipProtocol);
        if (k >= 0) {
            int base = set * PROTOCOLS + k;
            int lo = begin[base];
            int hi = end[base] - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (rangeStart[mid] > port) {
                    hi = mid - 1;
                } else if (rangeEnd[mid] < port) {
                    lo = mid + 1;
                } else {
                    return rangePolicy[mid];
                }
            }
        }
        return anyPolicy[set];
    }

    /** For a packet without a port (a non-first fragment): allowed only where every port of its protocol is. */
    public int matchEveryPort(int set, int ipProtocol) {
        int k = protocolIndex(ipProtocol);
        return k >= 0 ? allPorts[set * PROTOCOLS + k] : anyPolicy[set];
    }

    public int size() {
        return anyPolicy.length;
    }

    public int ranges() {
        return rangeStart.length;
    }

    /** A canonical set: anyPolicy and segments as (protocol << 17 | start, end, policy) triples, sorted. */
    private record Canonical(int anyPolicy, int[] segments) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Canonical c && c.anyPolicy == anyPolicy && Arrays.equals(c.segments, segments);
        }

        @Override
        public int hashCode() {
            return 31 * anyPolicy + Arrays.hashCode(segments);
        }
    }

    /** Interns sets while the control thread compiles. Set 0 is {@link #DENY}. */
    public static final class Builder {
        private final List<Canonical> sets = new ArrayList<>();
        private final Map<Canonical, Integer> ids = new HashMap<>();

        public Builder() {
            intern(new Canonical(-1, new int[0]));
        }

        /** Starts a set (reuse with {@link Spec#clear()}). */
        public Spec spec() {
            return new Spec();
        }

        /** The id of the set {@code spec} describes (an existing one if equal). */
        public int add(Spec spec) {
            return intern(spec.canonical());
        }

        private int intern(Canonical c) {
            Integer id = ids.get(c);
            if (id != null) {
                return id;
            }
            int next = sets.size();
            sets.add(c);
            ids.put(c, next);
            return next;
        }

        public PortSets build() {
            return new PortSets(this);
        }
    }

    /** The ranges and policies of one set before it is made canonical. */
    public static final class Spec {
        private int anyPolicy = -1;
        private int[] data = new int[48];
        private int count;

        /** Every protocol and port, allowed by {@code policy}. */
        public Spec any(int policy) {
            anyPolicy = anyPolicy < 0 ? policy : Math.min(anyPolicy, policy);
            return this;
        }

        /** Ports {@code first..last} of the IP protocol (TCP, UDP or SCTP), allowed by {@code policy}. */
        public Spec range(int ipProtocol, int first, int last, int policy) {
            int k = protocolIndex(ipProtocol);
            if (k < 0 || first < 0 || last > 0xffff || first > last || policy < 0) {
                throw new IllegalArgumentException("bad range " + ipProtocol + " " + first + ".." + last + " policy " + policy);
            }
            if (count * 4 + 4 > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[count * 4] = k;
            data[count * 4 + 1] = first;
            data[count * 4 + 2] = last;
            data[count * 4 + 3] = policy;
            count++;
            return this;
        }

        public boolean isEmpty() {
            return anyPolicy < 0 && count == 0;
        }

        public Spec clear() {
            anyPolicy = -1;
            count = 0;
            return this;
        }

        /**
         * Disjoint segments per protocol, each with the lowest policy covering it, neighbours with the same
         * policy merged; ranges whose policy is not below {@code anyPolicy} dropped (the any-rule answers
         * for them with a lower or equal id). A sweep over the range ends with a min-heap: O(n log n).
         */
        private Canonical canonical() {
            List<Integer> out = new ArrayList<>();
            for (int k = 0; k < PROTOCOLS; k++) {
                List<int[]> events = new ArrayList<>(); // position, +1 start / -1 end, interval
                for (int i = 0; i < count; i++) {
                    if (data[i * 4] == k && (anyPolicy < 0 || data[i * 4 + 3] < anyPolicy)) {
                        events.add(new int[] {data[i * 4 + 1], i});
                    }
                }
                if (events.isEmpty()) {
                    continue;
                }
                events.sort((a, b) -> Integer.compare(a[0], b[0]));
                PriorityQueue<int[]> open = new PriorityQueue<>((a, b) -> Integer.compare(a[1], b[1])); // {end, policy}
                int e = 0;
                int pos = events.get(0)[0];
                int segStart = -1;
                int segPolicy = -1;
                while (pos <= 0xffff && (e < events.size() || !open.isEmpty())) {
                    while (e < events.size() && events.get(e)[0] == pos) {
                        int i = events.get(e)[1];
                        open.add(new int[] {data[i * 4 + 2], data[i * 4 + 3]});
                        e++;
                    }
                    while (!open.isEmpty() && open.peek()[0] < pos) {
                        open.poll(); // lazily drop intervals that ended (the heap orders by policy, not end)
                    }
                    // the elementary interval [pos, next): next = the next start or the end of the best interval
                    int policy = open.isEmpty() ? -1 : open.peek()[1];
                    int next = e < events.size() ? events.get(e)[0] : 0x10000;
                    if (policy >= 0) {
                        next = Math.min(next, open.peek()[0] + 1);
                    }
                    if (policy != segPolicy) {
                        if (segPolicy >= 0) {
                            out.add(k << 17 | segStart);
                            out.add(pos - 1);
                            out.add(segPolicy);
                        }
                        segStart = pos;
                        segPolicy = policy;
                    }
                    if (open.isEmpty() && e < events.size()) {
                        next = events.get(e)[0];
                    }
                    pos = next;
                }
                if (segPolicy >= 0) {
                    out.add(k << 17 | segStart);
                    out.add(pos - 1);
                    out.add(segPolicy);
                }
            }
            int[] segments = new int[out.size()];
            for (int i = 0; i < segments.length; i++) {
                segments[i] = out.get(i);
            }
            return new Canonical(anyPolicy, segments);
        }
    }
}
