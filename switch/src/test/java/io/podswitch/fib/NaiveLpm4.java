package io.podswitch.fib;

import java.util.LinkedHashMap;
import java.util.Map;

/** The obviously correct IPv4 LPM the FIB is checked against: scan every route, keep the longest match. */
final class NaiveLpm4 {
    record Prefix(int prefix, int length) {
    }

    final Map<Prefix, Integer> routes = new LinkedHashMap<>();

    void add(int prefix, int length, int adjacency) {
        routes.put(new Prefix(prefix, length), adjacency);
    }

    boolean delete(int prefix, int length) {
        return routes.remove(new Prefix(prefix, length)) != null;
    }

    int lookup(int address) {
        int bestLength = -1;
        int best = Ip4Lookup.MISS;
        for (Map.Entry<Prefix, Integer> route : routes.entrySet()) {
            Prefix p = route.getKey();
            if (p.length() > bestLength && (address & Ip4Prefixes.mask(p.length())) == p.prefix()) {
                bestLength = p.length();
                best = route.getValue();
            }
        }
        return best;
    }
}
