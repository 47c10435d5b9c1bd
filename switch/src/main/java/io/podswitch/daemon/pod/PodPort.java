package io.podswitch.daemon.pod;

import io.podswitch.daemon.engine.PortCounterSource;
import io.podswitch.graph.Interface;
import io.podswitch.port.tap.TapPort;
import java.util.List;

/**
 * A live pod attachment in the switch: its record, the TAP the daemon holds, the worker that polls
 * it, the REWRITE adjacency its /32 and /128 routes point to, and how to take those routes out.
 */
record PodPort(PodRecord record, TapPort port, Interface iface, int worker, int adjacency,
               PortCounterSource counters, List<Runnable> routeRemovals) {
}
