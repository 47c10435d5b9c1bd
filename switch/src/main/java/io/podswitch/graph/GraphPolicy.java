package io.podswitch.graph;

import io.podswitch.policy.DenyLog;
import io.podswitch.policy.PolicyConnTrack;
import io.podswitch.policy.PolicyTables;

/**
 * What one worker's graph needs for NetworkPolicy (docs/network-policy.md, "Data path"): the shared policy
 * tables, every worker's policy connection table (this worker writes only {@code tracks[worker]}; the
 * others are looked up read-only, a connection's two directions often arriving on two workers), this
 * worker's deny log and how many connection records the slow tick sweeps.
 */
public final class GraphPolicy {
    final PolicyTables tables;
    final PolicyConnTrack[] tracks;
    final int worker;
    final DenyLog denyLog;
    final int sweepBudget;

    /**
     * @param tracks      one table per worker, the same array for every worker's graph
     * @param worker      this worker's index into {@code tracks} and the policy counters
     * @param sweepBudget connection records examined per slow tick
     */
    public GraphPolicy(PolicyTables tables, PolicyConnTrack[] tracks, int worker, DenyLog denyLog, int sweepBudget) {
        if (worker < 0 || worker >= tracks.length) {
            throw new IllegalArgumentException("no policy conntrack table for worker " + worker + " (" + tracks.length
                    + " tables)");
        }
        for (int w = 0; w < tracks.length; w++) {
            if (tracks[w] == null) {
                throw new IllegalArgumentException("policy conntrack table of worker " + w + " is missing");
            }
        }
        if (worker >= tables.counters().workers()) {
            throw new IllegalArgumentException("policy counters have no stripe for worker " + worker);
        }
        if (sweepBudget < 1) {
            throw new IllegalArgumentException("sweep budget must be positive: " + sweepBudget);
        }
        this.tables = tables;
        this.tracks = tracks.clone();
        this.worker = worker;
        this.denyLog = denyLog;
        this.sweepBudget = sweepBudget;
    }

    public PolicyConnTrack ownTrack() {
        return tracks[worker];
    }

    public DenyLog denyLog() {
        return denyLog;
    }
}
