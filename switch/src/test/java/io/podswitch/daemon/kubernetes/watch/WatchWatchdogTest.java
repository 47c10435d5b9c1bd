package io.podswitch.daemon.kubernetes.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.podswitch.daemon.kubernetes.watch.WatchProbe.Change;
import io.podswitch.daemon.kubernetes.watch.WatchProbe.Since;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The watchdog's decisions on informers whose state the test sets (fabric8's informer interface answered by a
 * proxy): a quiet informer that is not watching, or that watches while the API server holds another number of
 * objects, is restarted once the server has answered for {@code stuckAfter}; one that watches with the right count,
 * one whose API server does not answer, and one that keeps delivering events are left alone.
 */
class WatchWatchdogTest {
    private static final Duration STUCK = Duration.ofMillis(200);
    private static final int CACHED = 3;

    /** An informer that has listed {@link #CACHED} pods and reports {@code watching}. */
    private static final class FakeInformers implements Supplier<SharedIndexInformer<Pod>> {
        final AtomicBoolean watching = new AtomicBoolean();
        final AtomicInteger made = new AtomicInteger();
        final List<ResourceEventHandler<Pod>> handlers = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public SharedIndexInformer<Pod> get() {
            made.incrementAndGet();
            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < CACHED; i++) {
                pods.add(new PodBuilder().withNewMetadata().withName("p" + i).withNamespace("x").withResourceVersion("1")
                        .endMetadata().build());
            }
            Indexer<Pod> store = (Indexer<Pod>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Indexer.class}, (p, m, a) -> switch (m.getName()) {
                        case "list" -> pods;
                        case "listKeys" -> pods.stream().map(ResourceWatch::keyOf).toList();
                        case "getByKey" -> pods.stream().filter(pod -> ResourceWatch.keyOf(pod).equals(a[0])).findFirst()
                                .orElse(null);
                        default -> null;
                    });
            Object[] self = new Object[1];
            self[0] = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SharedIndexInformer.class},
                    (p, m, a) -> switch (m.getName()) {
                        case "start" -> CompletableFuture.completedFuture(null);
                        case "isWatching" -> watching.get();
                        case "getStore", "getIndexer" -> store;
                        case "lastSyncResourceVersion" -> "1";
                        case "addEventHandler" -> {
                            handlers.add((ResourceEventHandler<Pod>) a[0]);
                            yield self[0];
                        }
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == a[0];
                        default -> m.getReturnType().isInstance(self[0]) ? self[0]
                                : m.getReturnType() == boolean.class ? false : null;
                    });
            return (SharedIndexInformer<Pod>) self[0];
        }
    }

    private static ResourceWatch<Pod> start(FakeInformers informers) {
        return ResourceWatch.start("pods", informers, p -> List.of(ResourceWatch.keyOf(p)));
    }

    private static ResourceWatch<Pod> establishedWatch(FakeInformers informers) {
        informers.watching.set(true);
        return start(informers);
    }

    /** Probes a watch that is down every 20 ms and checks an established one's count every 50 ms. */
    private static WatchWatchdog verifyingOften() {
        return new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofMillis(50));
    }

    /** A probe whose list answers {@code held} and whose watch from the informer's version shows {@code since}. */
    private static WatchProbe probe(Supplier<OptionalLong> held, Supplier<Since> since) {
        return new WatchProbe() {
            @Override
            public OptionalLong held() {
                return held.get();
            }

            @Override
            public Since since(String resourceVersion) {
                assertEquals("1", resourceVersion, "the watch is probed from the informer's resourceVersion");
                return since.get();
            }
        };
    }

    /** A probe whose list answers {@code held} and whose watch from the informer's version carries nothing. */
    private static WatchProbe probe(Supplier<OptionalLong> held) {
        return probe(held, () -> Since.NOTHING);
    }

    /** Checks every 10 ms for {@code millis}; true as soon as one check restarted the watch. */
    private static boolean restartedWithin(WatchWatchdog dog, ResourceWatch<Pod> watch, WatchProbe probe,
                                           long millis, Runnable meanwhile) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            meanwhile.run();
            if (dog.check(watch, probe)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Test
    void aQuietWatchThatIsDownWhileTheServerAnswersIsRestarted() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = start(informers);
        AtomicInteger probes = new AtomicInteger();
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        assertTrue(restartedWithin(dog, watch, probe(() -> {
            probes.incrementAndGet();
            return OptionalLong.of(CACHED);
        }), 5000, () -> { }));
        assertEquals(2, informers.made.get(), "a new informer was made");
        assertEquals(1, watch.health().restarts());
        assertTrue(probes.get() >= 2, "probed while down: " + probes);
    }

    @Test
    void anEstablishedWatchWhoseCacheMissesObjectsIsRestarted() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = verifyingOften();
        assertTrue(restartedWithin(dog, watch, probe(() -> OptionalLong.of(CACHED + 1)), 5000, () -> { }));
        assertEquals(1, watch.health().restarts());
    }

    @Test
    void anEstablishedWatchWithTheServersCountIsLeftAlone() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = verifyingOften();
        assertTrue(!restartedWithin(dog, watch, probe(() -> OptionalLong.of(CACHED)), 1500, () -> { }));
        assertTrue(!restartedWithin(dog, watch, probe(OptionalLong::empty), 500, () -> { }), "a server that gives no count");
        assertEquals(1, informers.made.get());
    }

    @Test
    void aWatchDownWhileTheServerIsAwayIsLeftToItsRetries() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = start(informers);
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        assertTrue(!restartedWithin(dog, watch, probe(() -> {
            throw new IllegalStateException("connection refused");
        }), 1500, () -> { }));
        assertEquals(1, informers.made.get());
    }

    @Test
    void aWatchThatKeepsDeliveringIsNeitherProbedNorRestarted() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = start(informers);
        AtomicInteger probes = new AtomicInteger();
        Pod pod = new PodBuilder().withNewMetadata().withName("p0").withNamespace("x").endMetadata().build();
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        assertTrue(!restartedWithin(dog, watch, probe(() -> {
            probes.incrementAndGet();
            return OptionalLong.of(CACHED + 5);
        }), 1500, () -> informers.handlers.getFirst().onUpdate(pod, pod)));
        assertEquals(0, probes.get());
    }

    /**
     * The second stuck mode: after an outage the watch is established again but carries nothing — here it missed an
     * update (same count, so the list cannot tell). Probed within {@code probeEvery} of coming back (not after
     * {@code verifyEvery}), a watch from its resourceVersion carries a state its cache lacks: restarted at the next
     * probe. Red before the fix (established watches were only counted, every {@code verifyEvery}).
     */
    @Test
    void aWatchBackFromAnOutageThatMissedAnUpdateIsRestartedWithinSeconds() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        outage(dog, watch, informers);
        assertTrue(restartedWithin(dog, watch, probe(() -> OptionalLong.of(CACHED),
                () -> new Since(false, List.of(new Change("x/p1", "1"), new Change("x/p2", "7")))), 5000, () -> { }));
        assertEquals(2, informers.made.get(), "a new informer was made");
    }

    /** The same, when the API server answers the watch from its version 410 Gone (it has moved past it). */
    @Test
    void aWatchBackFromAnOutageWhoseVersionIsGoneIsRestarted() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        outage(dog, watch, informers);
        assertTrue(restartedWithin(dog, watch, probe(() -> OptionalLong.of(CACHED), () -> new Since(true, List.of())),
                5000, () -> { }));
    }

    /**
     * A watch back from an outage whose watch from its version carries only what its cache holds (the test API
     * server's replay), and a deletion it has applied, is current: left alone, and not probed again before
     * {@code verifyEvery}.
     */
    @Test
    void aWatchBackFromAnOutageThatIsCurrentIsVerifiedOnceAndLeftAlone() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = new WatchWatchdog(STUCK, Duration.ofMillis(20), Duration.ofHours(1));
        outage(dog, watch, informers);
        AtomicInteger probes = new AtomicInteger();
        assertTrue(!restartedWithin(dog, watch, probe(() -> {
            probes.incrementAndGet();
            return OptionalLong.of(CACHED);
        }, () -> new Since(false, List.of(new Change("x/p0", "1"), new Change("x/gone", null)))), 1500, () -> { }));
        assertEquals(1, probes.get(), "probed once, found current");
        assertEquals(1, informers.made.get());
    }

    /**
     * A watch back from an outage that delivers something is evidently carrying events: not probed (as a quiet
     * established watch, not before {@code stuckAfter}, here longer than the test).
     */
    @Test
    void aWatchBackFromAnOutageThatDeliversIsNotProbed() throws Exception {
        FakeInformers informers = new FakeInformers();
        ResourceWatch<Pod> watch = establishedWatch(informers);
        WatchWatchdog dog = new WatchWatchdog(Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofHours(1));
        outage(dog, watch, informers);
        Pod pod = new PodBuilder().withNewMetadata().withName("p0").withNamespace("x").endMetadata().build();
        assertTrue(!dog.check(watch, probe(() -> OptionalLong.of(CACHED))), "seen watching once");
        informers.handlers.getFirst().onUpdate(pod, pod);
        AtomicInteger probes = new AtomicInteger();
        assertTrue(!restartedWithin(dog, watch, probe(() -> {
            probes.incrementAndGet();
            return OptionalLong.of(CACHED);
        }, () -> new Since(true, List.of())), 300, () -> { }));
        assertEquals(0, probes.get());
    }

    /** The watch is seen down by a check (the API server away: probes fail), then established again. */
    private static void outage(WatchWatchdog dog, ResourceWatch<Pod> watch, FakeInformers informers)
            throws InterruptedException {
        informers.watching.set(false);
        assertTrue(!restartedWithin(dog, watch, probe(() -> {
            throw new IllegalStateException("connection refused");
        }), 300, () -> { }));
        informers.watching.set(true);
    }
}
