package io.podswitch.daemon.pod;

import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.CounterRegistry;
import io.podswitch.daemon.engine.PortCounterSource;
import io.podswitch.daemon.engine.PortIdentity;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.graph.Interface;
import io.podswitch.port.tap.TapPort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The switch's side of a pod attachment: its port, interface, adjacency and routes — installed in
 * the order that never forwards to a port that is not there yet, removed by the QSBR protocol.
 * Control thread only.
 */
final class PodSwitchSide {
    private final SwitchEngine engine;
    private final List<IpRange> ranges;
    private final long switchMac;
    private final CounterRegistry counters;

    PodSwitchSide(SwitchEngine engine, List<IpRange> ranges, long switchMac, CounterRegistry counters) {
        this.engine = engine;
        this.ranges = ranges;
        this.switchMac = switchMac;
        this.counters = counters;
    }

    /**
     * The switch side of a pod: interface (source guard with the pod's MAC and addresses, the gateway
     * addresses, proxy neighbours so pods reach each other on their shared prefix), the port polled
     * by a worker, then the /32 and /128 routes to a REWRITE adjacency — routes last, so nothing is
     * forwarded to a port that is not there yet. Pushes the undo of each step.
     */
    PodPort install(PodRecord record, TapPort tap, Deque<Runnable> undo) {
        List<InetAddress> addresses = record.addresses();
        int v4 = 0;
        int v6 = 0;
        for (InetAddress a : addresses) {
            if (AddressBits.isIp4(a)) {
                v4++;
            } else {
                v6++;
            }
        }
        int[] ip4 = new int[v4];
        long[] ip6High = new long[v6];
        long[] ip6Low = new long[v6];
        v4 = 0;
        v6 = 0;
        for (InetAddress a : addresses) {
            if (AddressBits.isIp4(a)) {
                ip4[v4++] = AddressBits.ip4(a);
            } else {
                ip6High[v6] = AddressBits.ip6High(a);
                ip6Low[v6++] = AddressBits.ip6Low(a);
            }
        }
        Interface.Builder builder = Interface.builder(tap, switchMac).mtu(record.mtu())
                .sourceGuard(record.mac(), ip4, ip6High, ip6Low).proxyNeighbors(true);
        for (IpRange range : ranges) {
            if (range.isIpv4()) {
                builder.ip4(AddressBits.ip4(range.gateway()));
            } else {
                builder.ip6(AddressBits.ip6High(range.gateway()), AddressBits.ip6Low(range.gateway()));
            }
        }
        Interface iface = builder.build();
        int adjacency = engine.adjacencies().addRewrite(tap.id(), record.mac(), record.mtu());
        undo.push(() -> {
            engine.quiesce();
            engine.adjacencies().release(adjacency);
        });
        int worker = engine.attachPort(iface);
        undo.push(() -> engine.detachPort(tap, worker));
        List<Runnable> removals = new ArrayList<>();
        for (int i = 0; i < ip4.length; i++) {
            int address = ip4[i];
            engine.fib4().add(address, 32, adjacency);
            Runnable removal = () -> engine.fib4().delete(address, 32);
            removals.add(removal);
            undo.push(removal);
        }
        for (int i = 0; i < ip6High.length; i++) {
            long high = ip6High[i];
            long low = ip6Low[i];
            engine.fib6().add(high, low, 128, adjacency);
            Runnable removal = () -> engine.fib6().delete(high, low, 128);
            removals.add(removal);
            undo.push(removal);
        }
        PortCounterSource portCounters = new PortCounterSource(
                PortIdentity.pod(record.attachment().containerId(), record.attachment().ifName(), record.pod()), tap);
        return new PodPort(record, tap, iface, worker, adjacency, portCounters, List.copyOf(removals));
    }

    /**
     * Takes the pod out of the data path by the QSBR removal protocol: delete the routes (new packets
     * no longer reach the port), take the port from its worker and unpublish its interface with a
     * grace period after each step ({@link SwitchEngine#detachPort}), then release the adjacency. The
     * TAP stays open and its port id taken: the caller deletes the one, then frees the other.
     */
    void detach(PodPort port) {
        for (Runnable removal : port.routeRemovals()) {
            removal.run();
        }
        engine.detachPort(port.port(), port.worker());
        engine.adjacencies().release(port.adjacency());
        counters.unregister(port.counters());
    }

    /**
     * {@link #detach}, then close and delete the TAP and free the port id. If the pod's netns is gone
     * the TAP went with it; closing is then enough.
     */
    void teardown(PodPort port) {
        detach(port);
        PodNetns.closeAndDelete(port.port(), null);
        engine.releasePortId(port.port().id());
    }

    /** Takes the port out of the data path and closes its descriptor, keeping the persistent TAP (shutdown). */
    void close(PodPort port) {
        for (Runnable removal : port.routeRemovals()) {
            removal.run();
        }
        engine.detachPort(port.port(), port.worker());
        counters.unregister(port.counters());
        port.port().close();
    }
}
