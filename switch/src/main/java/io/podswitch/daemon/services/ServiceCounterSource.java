package io.podswitch.daemon.services;

import io.podswitch.service.ServiceCounters;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceTable;
import io.podswitch.stats.CounterSource;

/**
 * Per-service counters for the stats file: {@code services.<service>:<port>:<family>[:nodeport].packets},
 * {@code .new_connections} and {@code .no_backend}, summed over the workers. Visits whatever keys are
 * published at the time (the stats publisher follows names that come and go).
 */
public final class ServiceCounterSource implements CounterSource {
    private final ServiceTable table;

    public ServiceCounterSource(ServiceTable table) {
        this.table = table;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        ServiceCounters counters = table.counters();
        for (int id = 0; id < table.capacity(); id++) {
            ServiceEntry e = table.get(id);
            if (e != null) {
                String prefix = "services." + e.name();
                visitor.counter(prefix + ".packets", counters.get(id, ServiceCounters.PACKETS));
                visitor.counter(prefix + ".new_connections", counters.get(id, ServiceCounters.NEW_CONNECTIONS));
                visitor.counter(prefix + ".no_backend", counters.get(id, ServiceCounters.NO_BACKEND));
            }
        }
    }
}
