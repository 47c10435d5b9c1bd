package io.podswitch.daemon.kubernetes.nodes;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which node owns which pod CIDR, as non-overlapping ranges ordered by first address, so the range a new
 * CIDR would overlap is found in O(log n) — 5,000 nodes are checked without a quadratic scan. Control
 * thread only.
 */
final class PrefixOwners {
    /** A 128-bit position: IPv4 as {@code (0, value)}, IPv6 as its two halves; unsigned order. */
    private record Position(long high, long low) implements Comparable<Position> {
        static Position of(IpAddress a) {
            return switch (a) {
                case Ip4Address v4 -> new Position(0, v4.unsignedValue());
                case Ip6Address v6 -> new Position(v6.high(), v6.low());
            };
        }

        @Override
        public int compareTo(Position o) {
            int c = Long.compareUnsigned(high, o.high);
            return c != 0 ? c : Long.compareUnsigned(low, o.low);
        }
    }

    private record Owned(Cidr cidr, Position last, String owner) {
    }

    /** One map per family (an IPv4 and an IPv6 range never overlap). */
    private final TreeMap<Position, Owned> v4 = new TreeMap<>();
    private final TreeMap<Position, Owned> v6 = new TreeMap<>();

    private TreeMap<Position, Owned> of(Cidr cidr) {
        return cidr.network() instanceof Ip4Address ? v4 : v6;
    }

    /** The owner of a range that shares an address with {@code cidr}, or null. */
    String overlapping(Cidr cidr) {
        TreeMap<Position, Owned> ranges = of(cidr);
        Position first = Position.of(cidr.network());
        Position last = Position.of(cidr.lastAddress());
        Map.Entry<Position, Owned> before = ranges.floorEntry(first);
        if (before != null && before.getValue().last().compareTo(first) >= 0) {
            return before.getValue().owner();
        }
        Map.Entry<Position, Owned> after = ranges.ceilingEntry(first);
        if (after != null && after.getKey().compareTo(last) <= 0) {
            return after.getValue().owner();
        }
        return null;
    }

    /** Records {@code cidr} as {@code owner}'s; it must not overlap another owner's ({@link #overlapping}). */
    void add(Cidr cidr, String owner) {
        of(cidr).put(Position.of(cidr.network()), new Owned(cidr, Position.of(cidr.lastAddress()), owner));
    }

    void remove(Cidr cidr) {
        of(cidr).remove(Position.of(cidr.network()));
    }
}
