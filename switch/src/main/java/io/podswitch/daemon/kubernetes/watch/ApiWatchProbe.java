package io.podswitch.daemon.kubernetes.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link WatchProbe} of one resource on the API server, through the daemon's client: a {@code limit=1} list for the
 * count; for {@link #since}, a watch of its own from the informer's resourceVersion, held for {@code window} (or until
 * the server answers 410) and closed. A kube-apiserver replays the events after that version at once (from its watch
 * cache) or answers 410 when the version left it; the test API server answers 410 after any write since that version
 * and otherwise replays every object as ADDED (their states, which a working informer holds).
 */
public final class ApiWatchProbe<T extends HasMetadata> implements WatchProbe {
    private final FilterWatchListDeletable<T, ? extends KubernetesResourceList<T>, ?> api;
    private final Duration window;

    public ApiWatchProbe(FilterWatchListDeletable<T, ? extends KubernetesResourceList<T>, ?> api, Duration window) {
        this.api = api;
        this.window = window;
    }

    @Override
    public OptionalLong held() {
        return held(api.list(1, null));
    }

    /**
     * How many objects a {@code limit=1} list says the API server holds: the item and {@code remainingItemCount};
     * empty when the server does not say (a continue token without a count).
     */
    static OptionalLong held(KubernetesResourceList<?> page) {
        Long remaining = page.getMetadata() == null ? null : page.getMetadata().getRemainingItemCount();
        String next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        if (remaining != null) {
            return OptionalLong.of(page.getItems().size() + remaining);
        }
        return next == null || next.isEmpty() ? OptionalLong.of(page.getItems().size()) : OptionalLong.empty();
    }

    @Override
    public Since since(String resourceVersion) {
        List<Change> changes = new ArrayList<>();
        CompletableFuture<Boolean> gone = new CompletableFuture<>();
        Watcher<T> collect = new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                if (resource == null || action == Action.BOOKMARK || action == Action.ERROR) {
                    return;
                }
                String rv = resource.getMetadata() == null ? null : resource.getMetadata().getResourceVersion();
                synchronized (changes) {
                    changes.add(new Change(ResourceWatch.keyOf(resource), action == Action.DELETED ? null : rv));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                gone.complete(cause.isHttpGone());
            }

            @Override
            public void onClose() {
                gone.complete(false);
            }
        };
        boolean answered;
        Watch watch = api.watch(new ListOptionsBuilder().withResourceVersion(resourceVersion).build(), collect);
        try {
            boolean isGone;
            try {
                isGone = gone.get(window.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                isGone = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing a watch", e);
            }
            if (isGone) {
                return new Since(true, List.of());
            }
            // A watch whose WebSocket handshake failed falls back to plain HTTP inside fabric8 and is retried there
            // without a word to the watcher: only a watch still established (or one that carried something) was
            // answered. fabric8's watch managers say so (isWatching, public, in its implementation jar, which the
            // daemon only has at run time).
            answered = !changes.isEmpty() || establishedOrUnknown(watch);
        } finally {
            watch.close();
        }
        if (!answered) {
            throw new IllegalStateException("a watch from resourceVersion " + resourceVersion + " was not answered");
        }
        synchronized (changes) {
            return new Since(false, List.copyOf(changes));
        }
    }

    private static boolean establishedOrUnknown(Watch watch) {
        try {
            return !(watch.getClass().getMethod("isWatching").invoke(watch) instanceof Boolean b) || b;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }
}
