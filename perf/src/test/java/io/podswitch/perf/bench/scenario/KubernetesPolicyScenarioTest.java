package io.podswitch.perf.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podswitch.perf.kubernetes.PolicyScaleCluster;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class KubernetesPolicyScenarioTest {
    private static final String LOG = """
            12:00:01 INFO kubernetes: policy: 3 namespace(s), 7 pod(s), 0 policy(ies) changed → generation 1 (0 policies, 7 pods; compiled in 3 ms, batch 9 ms)
            12:00:02 INFO kubernetes: policy: 10 namespace(s), 1000 pod(s), 10 policy(ies) changed → generation 2 (10 policies, 1000 pods; compiled in 41 ms, batch 230 ms)
            12:00:03 INFO kubernetes: policy: 0 namespace(s), 1 pod(s), 0 policy(ies) changed → generation 3 (10 policies, 1000 pods; compiled in 5 ms, batch 6 ms)
            """;

    @Test
    void theFirstBatchHoldingEveryPodAndPolicyIsTheInitialOne() throws IOException {
        var batch = KubernetesPolicyScenario.firstFullBatch(LOG, new PolicyScaleCluster(1000));
        assertEquals(41, batch.compileMillis());
        assertEquals(230, batch.batchMillis());
    }

    @Test
    void noSuchBatchIsAnError() {
        assertThrows(IOException.class, () -> KubernetesPolicyScenario.firstFullBatch(LOG, new PolicyScaleCluster(2000)));
    }
}
