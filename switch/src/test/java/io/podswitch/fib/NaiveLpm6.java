package io.podswitch.fib;

import java.util.LinkedHashMap;
import java.util.Map;

/** The obviously correct IPv6 LPM the FIB is checked against: scan every route, keep the longest match. */
final class NaiveLpm6 {
    record Prefix(long high, long low, int length) {
        boolean covers(long addressHigh, long addressLow) {
            return (addressHigh & Ip6Prefixes.maskHigh(length)) == high && (addressLow & Ip6Prefixes.maskLow(length)) == low;
        }
    }

    final Map<Prefix, Integer> routes = new LinkedHashMap<>();

    void add(long high, long low, int length, int adjacency) {
        routes.put(new Prefix(high, low, length), adjacency);
    }

    boolean delete(long high, long low, int length) {
        return routes.remove(new Prefix(high, low, length)) != null;
    }

    int lookup(long high, long low) {
        int bestLength = -1;
        int best = Ip6Lookup.MISS;
        for (Map.Entry<Prefix, Integer> route : routes.entrySet()) {
            Prefix p = route.getKey();
            if (p.length() > bestLength && p.covers(high, low)) {
                bestLength = p.length();
                best = route.getValue();
            }
        }
        return best;
    }
}
