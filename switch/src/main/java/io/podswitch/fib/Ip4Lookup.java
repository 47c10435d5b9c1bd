package io.podswitch.fib;

/** Longest-prefix match over IPv4 destinations, as the data path sees it: wait-free, allocation-free. */
public interface Ip4Lookup {
    /** Returned when no route covers the address. */
    int MISS = -1;

    /** @return the adjacency index of the longest matching route, or {@link #MISS} */
    int lookup(int destination);
}
