package io.podswitch.testapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
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
        try (TestApiServer api = TestApiServer.startLocal(); KubernetesClient client = api.client()) {
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

    @Test
    void anInformerSyncsFromABulkListAndItsWatchStaysOpen() throws Exception {
        try (TestApiServer api = TestApiServer.startLocal(); KubernetesClient client = api.client()) {
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
