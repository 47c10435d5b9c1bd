package io.podswitch.daemon.services;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceTable;
import io.podswitch.stats.CounterSource;

import java.util.Arrays;

/**
 * Service counters for the stats file, summed over the workers: {@code services.keys} (keys published),
 * {@code services.total.{packets,new_connections,no_backend}} over every key, and per key
 * {@code services.<service>:<port>:<family>[:nodeport|:external:IP].{packets,new_connections,no_backend}}
 * for the keys with the lowest {@value #MAX_KEYS} ids. A cluster's 10,000 services are 40,000 keys and more:
 * three counters each would not fit the stats file, so beyond the cap a key's counters are in
 * {@code GET /v1/services} (and {@code podswitch services}) only; the cap is logged once when reached.
 * Visits whatever keys are published at the time (the stats publisher follows names that come and go).
 */
public final class ServiceCounterSource implements CounterSource {
    /** Keys with their own counters in the stats file. */
    public static final int MAX_KEYS = 1000;

    private final ServiceTable table;
    /** The entry each cached prefix was made for (identity), by id. */
    private ServiceEntry[] named = new ServiceEntry[0];
    private String[][] names = new String[0][];
    private boolean capLogged;

    public ServiceCounterSource(ServiceTable table) {
        this.table = table;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        ServiceCounters counters = table.counters();
        long packets = 0;
        long connections = 0;
        long noBackend = 0;
        int listed = 0;
        int keys = 0;
        for (int id = 0; id < table.capacity(); id++) {
            ServiceEntry e = table.get(id);
            if (e == null) {
                continue;
            }
            keys++;
            long p = counters.get(id, ServiceCounters.PACKETS);
            long c = counters.get(id, ServiceCounters.NEW_CONNECTIONS);
            long n = counters.get(id, ServiceCounters.NO_BACKEND);
            packets += p;
            connections += c;
            noBackend += n;
            if (listed < MAX_KEYS) {
                listed++;
                String[] name = names(id, e);
                visitor.counter(name[0], p);
                visitor.counter(name[1], c);
                visitor.counter(name[2], n);
            }
        }
        if (keys > MAX_KEYS && !capLogged) {
            capLogged = true;
            DaemonLog.info("stats: " + keys + " service keys; the stats file carries per-key counters for the first "
                    + MAX_KEYS + " (all of them: GET /v1/services, podswitch services) and services.total.* for all");
        }
        visitor.counter("services.keys", keys);
        visitor.counter("services.total.packets", packets);
        visitor.counter("services.total.new_connections", connections);
        visitor.counter("services.total.no_backend", noBackend);
    }

    private String[] names(int id, ServiceEntry e) {
        if (id >= named.length) {
            int size = Math.max(id + 1, 2 * named.length);
            named = Arrays.copyOf(named, size);
            names = Arrays.copyOf(names, size);
        }
        if (named[id] == null || !named[id].name().equals(e.name())) {
            String prefix = "services." + e.name();
            names[id] = new String[] {prefix + ".packets", prefix + ".new_connections", prefix + ".no_backend"};
        }
        named[id] = e;
        return names[id];
    }
}
