package io.podswitch.testapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bulk lists: served whole or paged as kube-apiserver pages, watches left to the CRUD mock, informers sync. */
class BulkListsTest {
    private static String pod(int i) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p" + i + "\",\"namespace\":\"ns\","
                + "\"resourceVersion\":\"" + (10 + i) + "\"}}";
    }

    @Test
    void aListIsServedWholeOrInPagesWithContinueTokens() {
        try (TestApiServer api = TestApiServer.startLocal(); KubernetesClient client = http11(api)) {
            api.dispatcher().bulkLists().serve("/api/v1/pods", "v1", "Pod", 25, BulkListsTest::pod, "5");
            PodList all = client.pods().inAnyNamespace().list();
            assertEquals(25, all.getItems().size());
            assertEquals("p24", all.getItems().get(24).getMetadata().getName());
            assertEquals("5", all.getMetadata().getResourceVersion());
            assertNull(all.getMetadata().getContinue());

            PodList first = client.pods().inAnyNamespace().list(new ListOptionsBuilder().withLimit(10L).build());
            assertEquals(List.of("p0", "p9"), List.of(first.getItems().getFirst().getMetadata().getName(),
                    first.getItems().getLast().getMetadata().getName()));
            assertEquals(15L, first.getMetadata().getRemainingItemCount());
            PodList last = client.pods().inAnyNamespace().list(new ListOptionsBuilder().withLimit(10L)
                    .withContinue(client.pods().inAnyNamespace().list(new ListOptionsBuilder().withLimit(10L)
                            .withContinue(first.getMetadata().getContinue()).build()).getMetadata().getContinue()).build());
            assertEquals(5, last.getItems().size());
            assertNull(last.getMetadata().getContinue());
        }
    }

    /**
     * HTTP/1.1: the JDK client's h2c upgrade of a first request whose answer is larger than an HTTP/2 frame
     * (16 KiB) now and then fails against the mock (the body read as frames: "Frame type(34) length(6627898)
     * exceeds MAX_FRAME_SIZE"). One failed list is all it costs podswitchd (its informers list again); this test
     * is about the lists, not that upgrade.
     */
    private static KubernetesClient http11(TestApiServer api) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url())
                .withHttp2Disable(true).withRequestTimeout(120_000).build()).build();
    }

    @Test
    void anInformerSyncsFromABulkListAndItsWatchStaysOpen() throws Exception {
        try (TestApiServer api = TestApiServer.startLocal(); KubernetesClient client = http11(api)) {
            api.dispatcher().bulkLists().serve("/api/v1/pods", "v1", "Pod", 1000, BulkListsTest::pod, "5");
            SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().inform();
            try {
                informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals(1000, informer.getStore().list().size());
                Thread.sleep(500);
                assertEquals(true, informer.isWatching());
            } finally {
                informer.stop();
            }
        }
    }

    @Test
    void otherPathsAndWatchesAreNotBulk() {
        BulkLists lists = new BulkLists();
        lists.serve("/api/v1/pods", "v1", "Pod", 3, BulkListsTest::pod, "5");
        assertNull(lists.answer("/api/v1/nodes"));
        assertNull(lists.answer("/api/v1/pods?watch=true&resourceVersion=5"));
        assertEquals("{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"5\",\"continue\":\"2\","
                + "\"remainingItemCount\":1},\"items\":[" + pod(0) + "," + pod(1) + "]}",
                new String(lists.answer("/api/v1/pods?limit=2")));
    }
}
