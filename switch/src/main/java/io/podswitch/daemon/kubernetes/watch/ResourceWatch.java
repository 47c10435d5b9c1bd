package io.podswitch.daemon.kubernetes.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.podswitch.daemon.DaemonLog;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Objects;
import java.util.function.Function;

/**
 * One resource watched through a fabric8 informer (list + watch, relist on 410 Gone, reconnect with
 * backoff, periodic resync), feeding {@link Reconciler}s with the keys of what changed. The informer's
 * cache is the view of the cluster; reconcilers read it on the control thread ({@link #get}, {@link #byIndex}).
 *
 * <p>Unlike fabric8's default (give up when the first list fails), every failure is retried, also at
 * start with the API server unreachable: the data path keeps its last state meanwhile, and
 * {@link #health} says how stale the view is.
 *
 * <p>To watch another resource (Pods, Namespaces, NetworkPolicies…): build its informer with
 * {@code client.…().runnableInformer(resyncMillis)}, add indexers if a reconciler needs them, and
 * {@link #start} it with the reconciler(s) and the function that maps an object to the keys it affects.
 */
public final class ResourceWatch<T extends HasMetadata> implements AutoCloseable {
    private final String resource;
    private final SharedIndexInformer<T> informer;
    private final List<Reconciler> reconcilers = new CopyOnWriteArrayList<>();
    private final long startedAtMillis = System.currentTimeMillis();
    private volatile long healthyAtMillis = startedAtMillis;
    private volatile boolean synced;
    private volatile long lists;
    private final AtomicLong failures = new AtomicLong();
    /** When the informer last delivered anything (an event, a list): with {@link #healthyAtMillis}, for metrics. */
    private volatile long lastEventMillis = startedAtMillis;
    private volatile String lastError = "";

    private ResourceWatch(String resource, SharedIndexInformer<T> informer) {
        this.resource = resource;
        this.informer = informer;
    }

    /**
     * Starts {@code informer} (not yet running). Every added, updated (also by a resync or relist) or deleted
     * object enqueues the keys {@code keysOf} maps it to (for an update, those of the old and of the new
     * object) in each reconciler {@link #feed}s. Returns at once; {@link #synced} tells when the first list is in.
     */
    public static <T extends HasMetadata> ResourceWatch<T> start(String resource, SharedIndexInformer<T> informer,
                                                                 Function<T, Collection<String>> keysOf) {
        ResourceWatch<T> watch = new ResourceWatch<>(resource, informer);
        List<Reconciler> reconcilers = watch.reconcilers;
        informer.exceptionHandler((started, t) -> {
            watch.failed(t);
            return true; // always retry (with the client's exponential backoff): never give up on the API server
        });
        informer.addEventHandler(new ResourceEventHandler<T>() {
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
                watch.listed(resourceVersion);
            }

            private void enqueue(T obj) {
                watch.lastEventMillis = System.currentTimeMillis();
                if (obj == null) {
                    return;
                }
                for (String key : keysOf.apply(obj)) {
                    for (Reconciler r : reconcilers) {
                        r.enqueue(key);
                    }
                }
            }
        });
        informer.start().whenComplete((v, t) -> {
            if (t == null) {
                watch.synced = true;
                watch.healthyAtMillis = System.currentTimeMillis();
                reconcilers.forEach(Reconciler::kick); // the first batch: everything listed
            }
        });
        return watch;
    }

    /**
     * From now on changes reach {@code reconciler} too. Objects already cached are not replayed: a reconciler
     * that joins late enqueues {@link #keys} itself when it is ready to apply them.
     */
    public void feed(Reconciler reconciler) {
        reconcilers.add(reconciler);
        reconciler.kick();
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
                    + " (watch expired or broke); applying the difference");
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

    /** The object cached under {@code key}, or null (never was, or deleted). Any thread. */
    public T get(String key) {
        return informer.getStore().getByKey(key);
    }

    /** Objects an indexer (added before start) filed under {@code value}. */
    public List<T> byIndex(String indexName, String value) {
        return informer.getIndexer().byIndex(indexName, value);
    }

    /** Every cached object's key. */
    public List<String> keys() {
        return informer.getStore().listKeys();
    }

    /** Samples the watch state (the source does so every second, so staleness is measured, not guessed). */
    public WatchHealth health() {
        long now = System.currentTimeMillis();
        boolean watching = informer.isWatching();
        if (watching) {
            healthyAtMillis = now;
            lastError = "";
        }
        String rv = informer.lastSyncResourceVersion();
        return new WatchHealth(resource, synced, watching, informer.getStore().list().size(), rv == null ? "" : rv,
                lists, failures.get(), watching ? 0 : now - healthyAtMillis, lastEventMillis, lastError);
    }

    @Override
    public void close() {
        informer.close();
    }
}
