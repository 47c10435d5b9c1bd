package io.podswitch.daemon.kubernetes.watch;

import io.podswitch.daemon.DaemonLog;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The work queue between informers and the tables (the controller pattern): informer events, on the
 * client's threads, only {@link #enqueue} the key of what changed; one {@link #reconcile} at a time runs
 * on the daemon's control thread with every key queued since the last one, and reads the objects' current
 * state from the informers' caches. So a burst of events — an initial list of 5,000 nodes, a relist after
 * 410 Gone, a rolling update touching one slice ten times — becomes one batch, each key once, and what is
 * applied is always the latest state (level-triggered: a missed or repeated event changes nothing).
 *
 * <p>Nothing is reconciled before {@link #ready} (every informer it reads has listed once): the first
 * batch is the whole cluster, not a prefix of it.
 */
public abstract class Reconciler {
    private final String name;
    private final Executor control;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean posted = new AtomicBoolean();
    private volatile long batches;
    private volatile long keysReconciled;

    /**
     * @param name    for the log ("nodes", "services")
     * @param control runs a task on the control thread ({@code ControlThread::post})
     */
    protected Reconciler(String name, Executor control) {
        this.name = name;
        this.control = control;
    }

    public String name() {
        return name;
    }

    /** Any thread: {@code key} changed (added, updated, deleted); a reconcile is posted if none is. */
    public final void enqueue(String key) {
        dirty.add(key);
        kick();
    }

    /** Any thread: posts a reconcile when there is work and the informers are ready (e.g. after a sync completes). */
    public final void kick() {
        if (!dirty.isEmpty() && ready() && posted.compareAndSet(false, true)) {
            control.execute(this::drain);
        }
    }

    /** Control thread: takes every queued key and reconciles them in one batch. */
    private void drain() {
        posted.set(false); // events from now on post again; they are taken by this drain or the next
        if (!ready()) {
            return; // kick() runs again when the last informer syncs
        }
        Set<String> keys = new HashSet<>();
        for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
            keys.add(it.next());
            it.remove();
        }
        if (keys.isEmpty()) {
            return;
        }
        try {
            reconcile(keys);
        } catch (RuntimeException e) {
            // A bug, not bad input (bad objects are rejected by the translation): keep the daemon and the
            // tables as they are; the next event or resync of these keys retries.
            DaemonLog.warn(name + ": reconciling " + keys.size() + " key(s) failed", e);
        }
        batches++;
        keysReconciled += keys.size();
    }

    /**
     * The view is applied: the informers have listed and every key queued since has been reconciled at least
     * once (a cluster without objects of this kind is caught up as soon as it is listed). Any thread.
     */
    public boolean caughtUp() {
        return ready() && (batches > 0 || dirty.isEmpty());
    }

    /** Keys waiting for the next batch. */
    public int pending() {
        return dirty.size();
    }

    public long batches() {
        return batches;
    }

    public long keysReconciled() {
        return keysReconciled;
    }

    /** True once every informer this reconciler reads has listed (any thread). */
    protected abstract boolean ready();

    /** Control thread: brings the tables in line with the current state of {@code keys} (each read from the caches). */
    protected abstract void reconcile(Set<String> keys);
}
