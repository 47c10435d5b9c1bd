package io.podswitch.daemon.kubernetes.services;

import io.podswitch.daemon.desired.DesiredService;
import io.podswitch.daemon.desired.ServiceId;

/**
 * Where translated services go: the daemon's service manager (add or replace one service touching only its
 * table keys; remove one). Both throw {@link IllegalArgumentException} and change nothing when a service
 * cannot be served (a node port another service holds, a full table …). Control thread only.
 */
public interface ServiceTarget {

    void apply(DesiredService service);

    void remove(ServiceId id);
}
