package io.podswitch.graph;

import io.podswitch.service.HairpinAddresses;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.SessionAffinity;
import io.podswitch.service.ServiceTable;

/**
 * What one worker's graph needs for services (docs/service.md, "Data path"): the shared service table,
 * every worker's connection table (this worker writes only {@code tracks[worker]}; replies are looked up
 * read-only in all of them), this worker's session-affinity table, the hairpin SNAT addresses and how many
 * conntrack records the slow tick sweeps.
 */
public final class GraphServices {
    final ServiceTable table;
    final ServiceConnTrack[] tracks;
    final int worker;
    final SessionAffinity affinity;
    final HairpinAddresses hairpin;
    final int sweepBudget;

    /**
     * @param tracks      one table per worker, the same array for every worker's graph
     * @param worker      this worker's index into {@code tracks} and the service counters
     * @param sweepBudget records examined per slow tick (conntrack and affinity each)
     */
    public GraphServices(ServiceTable table, ServiceConnTrack[] tracks, int worker, SessionAffinity affinity,
                         HairpinAddresses hairpin, int sweepBudget) {
        if (worker < 0 || worker >= tracks.length || tracks[worker] == null) {
            throw new IllegalArgumentException("no conntrack table for worker " + worker);
        }
        if (worker >= table.counters().workers()) {
            throw new IllegalArgumentException("service counters have no stripe for worker " + worker);
        }
        if (sweepBudget < 1) {
            throw new IllegalArgumentException("sweep budget must be positive: " + sweepBudget);
        }
        this.table = table;
        this.tracks = tracks.clone();
        this.worker = worker;
        this.affinity = affinity;
        this.hairpin = hairpin;
        this.sweepBudget = sweepBudget;
    }

    public ServiceConnTrack ownTrack() {
        return tracks[worker];
    }

    public SessionAffinity affinity() {
        return affinity;
    }
}
