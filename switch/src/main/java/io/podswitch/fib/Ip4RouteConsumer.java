package io.podswitch.fib;

/** Receives the routes of an {@link Ip4Fib} when the control plane lists them. */
@FunctionalInterface
public interface Ip4RouteConsumer {
    void accept(int prefix, int length, int adjacency);
}
