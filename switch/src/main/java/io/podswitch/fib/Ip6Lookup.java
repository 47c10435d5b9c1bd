package io.podswitch.fib;

/** Longest-prefix match over IPv6 destinations (the address as two big-endian longs). */
public interface Ip6Lookup {
    int MISS = -1;

    /** @return the adjacency index of the longest matching route, or {@link #MISS} */
    int lookup(long high, long low);
}
