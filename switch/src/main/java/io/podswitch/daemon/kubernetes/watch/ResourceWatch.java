package io.podswitch.daemon.kubernetes.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.podswitch.daemon.DaemonLog;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One resource watched through a fabric8 informer (list + watch, relist on 410 Gone, reconnect with
 * backoff, periodic resync), feeding {@link Reconciler}s with the keys of what changed. The informer's
 * cache is the view of the cluster; reconcilers read it on the control thread ({@link #get}, {@link #byIndex}).
 *
 * <p>Unlike fabric8's default (give up when the first list fails), every failure is retried, also at
 * start with the API server unreachable: the data path keeps its last state meanwhile, and
 * {@link #health} says how stale the view is.
 *
 * <p>An informer whose watch never comes back although the API server answers (see {@link WatchWatchdog}) is
 * {@link #restart}ed: a new informer from the same factory lists the resource afresh while the old cache keeps
 * answering reads; once it has listed and watches, it replaces the old one and every key either cache holds
 * is reconciled again (what changed, appeared or vanished meanwhile is applied; the rest reconciles to nothing).
 *
 * <p>To watch another resource (Pods, Namespaces, NetworkPolicies…): give {@link #start} a factory of its
 * informer ({@code client.…().runnableInformer(resyncMillis)}, indexers and item store added), and the function
 * that maps an object to the keys it affects; then {@link #feed} it to its reconciler(s).
 */
public final class ResourceWatch<T extends HasMetadata> implements AutoCloseable {
    private final String resource;
    private final Supplier<SharedIndexInformer<T>> informers;
    private final Function<T, Collection<String>> keysOf;
    private final List<Reconciler> reconcilers = new CopyOnWriteArrayList<>();
    /** The informer whose cache is read and whose events reach the reconcilers. */
    private volatile SharedIndexInformer<T> informer;
    /** A restart's informer while it lists (its events are not delivered: the swap reconciles everything). */
    private SharedIndexInformer<T> replacement;
    private final long startedAtMillis = System.currentTimeMillis();
    private volatile long healthyAtMillis = startedAtMillis;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile long lists;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    /** When the informer last delivered anything (an event, a list): with {@link #healthyAtMillis}, for metrics. */
    private volatile long lastEventMillis = startedAtMillis;
    private volatile String lastError = "";

    private ResourceWatch(String resource, Supplier<SharedIndexInformer<T>> informers,
                          Function<T, Collection<String>> keysOf) {
        this.resource = resource;
        this.informers = informers;
        this.keysOf = keysOf;
    }

    /**
     * Starts an informer made by {@code informers} (not yet running; called again for each {@link #restart}).
     * Every added, updated (also by a resync or relist) or deleted object enqueues the keys {@code keysOf} maps
     * it to (for an update, those of the old and of the new object) in each reconciler it {@link #feed}s.
     * Returns at once; {@link #synced} tells when the first list is in.
     */
    public static <T extends HasMetadata> ResourceWatch<T> start(String resource,
                                                                 Supplier<SharedIndexInformer<T>> informers,
                                                                 Function<T, Collection<String>> keysOf) {
        ResourceWatch<T> watch = new ResourceWatch<>(resource, informers, keysOf);
        SharedIndexInformer<T> first = watch.wired(informers.get());
        watch.informer = first;
        first.start().whenComplete((v, t) -> {
            if (t == null) {
                watch.synced = true;
                watch.healthyAtMillis = System.currentTimeMillis();
                watch.reconcilers.forEach(Reconciler::kick); // the first batch: everything listed
            }
        });
        return watch;
    }

    /** {@code fresh} with this watch's failure handling and event delivery (only while it is the current informer). */
    private SharedIndexInformer<T> wired(SharedIndexInformer<T> fresh) {
        fresh.exceptionHandler((started, t) -> {
            failed(t);
            return true; // always retry (with the client's exponential backoff): never give up on the API server
        });
        fresh.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                enqueue(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                enqueue(oldObj);
                enqueue(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                enqueue(obj);
            }

            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                listed(resourceVersion);
            }

            private void enqueue(T obj) {
                lastEventMillis = System.currentTimeMillis(); // a restart's list is progress too
                if (obj == null || informer != fresh) {
                    return;
                }
                deliver(keysOf.apply(obj));
            }
        });
        return fresh;
    }

    private void deliver(Collection<String> keys) {
        for (String key : keys) {
            for (Reconciler r : reconcilers) {
                r.enqueue(key);
            }
        }
    }

    /**
     * From now on changes reach {@code reconciler} too. Objects already cached are not replayed: a reconciler
     * that joins late enqueues {@link #keys} itself when it is ready to apply them.
     */
    public void feed(Reconciler reconciler) {
        reconcilers.add(reconciler);
        reconciler.kick();
    }

    /**
     * Replaces the informer by a new one that lists the resource afresh (a restart already under way is
     * abandoned for this one). Reads keep going to the current cache until the new informer has listed and
     * watches; then it takes over and every key of either cache is reconciled. Any thread.
     *
     * @param why for the log
     */
    public void restart(String why) {
        SharedIndexInformer<T> fresh;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (replacement != null) {
                replacement.close();
            }
            fresh = wired(informers.get());
            replacement = fresh;
        }
        restarts.incrementAndGet();
        DaemonLog.warn("kubernetes: " + resource + ": restarting the informer (" + why + "): listing afresh", null);
        fresh.start().whenComplete((v, t) -> {
            if (t == null) {
                takeOver(fresh);
            }
        });
    }

    /** {@code fresh} has listed and watches: it becomes the informer, and everything either cache holds is reconciled. */
    private void takeOver(SharedIndexInformer<T> fresh) {
        SharedIndexInformer<T> old;
        synchronized (this) {
            if (replacement != fresh || closed) {
                fresh.close(); // abandoned for a newer restart, or the watch was closed meanwhile
                return;
            }
            replacement = null;
            old = informer;
            informer = fresh;
        }
        old.close();
        Set<String> keys = new HashSet<>();
        for (T obj : old.getStore().list()) {
            keys.addAll(keysOf.apply(obj));
        }
        for (T obj : fresh.getStore().list()) {
            keys.addAll(keysOf.apply(obj));
        }
        synced = true;
        healthyAtMillis = System.currentTimeMillis();
        DaemonLog.info("kubernetes: " + resource + ": the restarted informer listed " + fresh.getStore().list().size()
                + " object(s) at resourceVersion " + fresh.lastSyncResourceVersion() + " and watches; reconciling "
                + keys.size() + " key(s)");
        deliver(keys);
        reconcilers.forEach(Reconciler::kick);
    }

    /** The cache key of a namespaced ({@code ns/name}) or cluster-scoped ({@code name}) object. */
    public static String keyOf(HasMetadata obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    private void listed(String resourceVersion) {
        lastEventMillis = System.currentTimeMillis();
        long n = ++lists;
        if (n > 1) {
            DaemonLog.info("kubernetes: " + resource + " re-listed at resourceVersion " + resourceVersion
                    + " (watch expired or broke, or the informer restarted); applying the difference");
        }
    }

    private void failed(Throwable t) {
        failures.incrementAndGet();
        String why = Objects.toString(t.getMessage(), t.getClass().getSimpleName());
        if (!why.equals(lastError)) {
            DaemonLog.warn("kubernetes: " + resource + ": list/watch failed, retrying with backoff", t);
        }
        lastError = why;
    }

    public String resource() {
        return resource;
    }

    /** The first list is in (the cache holds the cluster as of then). */
    public boolean synced() {
        return synced;
    }

    /** A watch is established now. */
    public boolean watching() {
        return informer.isWatching();
    }

    /** When the informer last delivered an event or a list (epoch ms; the start before any). */
    public long lastEventMillis() {
        return lastEventMillis;
    }

    /** The object cached under {@code key}, or null (never was, or deleted). Any thread. */
    public T get(String key) {
        return informer.getStore().getByKey(key);
    }

    /** Objects an indexer (added before start) filed under {@code value}. */
    public List<T> byIndex(String indexName, String value) {
        return informer.getIndexer().byIndex(indexName, value);
    }

    /** The resourceVersion the informer has followed the resource to (its list's, then each event's); "" before the first list. */
    public String resourceVersion() {
        String rv = informer.lastSyncResourceVersion();
        return rv == null ? "" : rv;
    }

    /** The cache holds {@code change}: that object at that resourceVersion, or (a deletion) no object under its key. */
    public boolean holds(WatchProbe.Change change) {
        T cached = informer.getStore().getByKey(change.key());
        if (change.resourceVersion() == null) {
            return cached == null;
        }
        return cached != null && cached.getMetadata() != null
                && change.resourceVersion().equals(cached.getMetadata().getResourceVersion());
    }

    /** Objects in the cache. */
    public int size() {
        return informer.getStore().list().size();
    }

    /** Every cached object's key. */
    public List<String> keys() {
        return informer.getStore().listKeys();
    }

    /** Samples the watch state (the source does so every second, so staleness is measured, not guessed). */
    public WatchHealth health() {
        long now = System.currentTimeMillis();
        SharedIndexInformer<T> current = informer;
        boolean watching = current.isWatching();
        if (watching) {
            healthyAtMillis = now;
            lastError = "";
        }
        String rv = current.lastSyncResourceVersion();
        return new WatchHealth(resource, synced, watching, current.getStore().list().size(), rv == null ? "" : rv,
                lists, failures.get(), restarts.get(), watching ? 0 : now - healthyAtMillis, lastEventMillis, lastError);
    }

    @Override
    public void close() {
        SharedIndexInformer<T> pending;
        synchronized (this) {
            closed = true;
            pending = replacement;
            replacement = null;
        }
        if (pending != null) {
            pending.close();
        }
        informer.close();
    }
}
