package io.podswitch.daemon.peers;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.engine.SwitchEngine;

/** A route prefix in the switch's FIB (IPv4 or IPv6), added and deleted on the engine's tables. */
record SwitchPrefix(boolean ip4, int v4, long high, long low, int length) {

    static SwitchPrefix of(Cidr cidr) {
        return of(cidr.network(), cidr.prefixLength());
    }

    /** A host route: /32 or /128. */
    static SwitchPrefix host(IpAddress address) {
        return of(address, address instanceof Ip4Address ? 32 : 128);
    }

    static SwitchPrefix of(IpAddress network, int length) {
        return switch (network) {
            case Ip4Address a -> new SwitchPrefix(true, a.value(), 0, 0, length);
            case Ip6Address a -> new SwitchPrefix(false, 0, a.high(), a.low(), length);
        };
    }

    /** Adds the route, or points an existing one at {@code adjacency}. */
    void install(SwitchEngine engine, int adjacency) {
        if (ip4) {
            engine.fib4().add(v4, length, adjacency);
        } else {
            engine.fib6().add(high, low, length, adjacency);
        }
    }

    void delete(SwitchEngine engine) {
        if (ip4) {
            engine.fib4().delete(v4, length);
        } else {
            engine.fib6().delete(high, low, length);
        }
    }
}
