package io.podswitch.fib;

/** Receives the routes of an {@link Ip6Fib} when the control plane lists them (address as two big-endian longs). */
@FunctionalInterface
public interface Ip6RouteConsumer {
    void accept(long high, long low, int length, int adjacency);
}
