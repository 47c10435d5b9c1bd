package io.podswitch.daemon.kubernetes.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer cache that keeps each object cut down to the fields a reconciler reads ({@code slim}, applied
 * on every put): for Pods — a cluster may hold 100,000+ of them, each several kilobytes as the API server sends
 * it — this is the difference between the cache costing gigabytes and a few hundred bytes per pod. The slim
 * copy must keep {@code metadata.name}, {@code namespace} and {@code resourceVersion} (the informer compares
 * versions on relist) and whatever the indexers and reconcilers read. Use with
 * {@code informer.itemStore(new SlimStore<>(slim))} before the informer starts.
 */
public final class SlimStore<T extends HasMetadata> implements ItemStore<T> {
    private final BasicItemStore<T> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
    private final UnaryOperator<T> slim;

    public SlimStore(UnaryOperator<T> slim) {
        this.slim = slim;
    }

    @Override
    public String getKey(T obj) {
        return store.getKey(obj);
    }

    @Override
    public T put(String key, T obj) {
        return store.put(key, slim.apply(obj));
    }

    @Override
    public T remove(String key) {
        return store.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return store.keySet();
    }

    @Override
    public Stream<T> values() {
        return store.values();
    }

    @Override
    public int size() {
        return store.size();
    }

    @Override
    public T get(String key) {
        return store.get(key);
    }
}
