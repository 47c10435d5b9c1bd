package io.podswitch.daemon.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EngineConfigTest {
    @Test
    void serviceFlowsDefaultAndSizeTheWorkersTables() {
        EngineConfig defaults = new EngineConfig(2, "backoff", 4096, 16);
        assertEquals(EngineConfig.DEFAULT_SERVICE_FLOWS, defaults.serviceFlows());
        assertEquals(2L * 65_536 * EngineConfig.SERVICE_FLOW_BYTES, defaults.serviceFlowBytes());
        try (SwitchEngine engine = new SwitchEngine(new EngineConfig(2, "backoff", 4096, 16, 1024))) {
            assertEquals(1024, engine.serviceFlowsPerWorker());
        }
    }

    @Test
    void serviceFlowsMustBeAPowerOfTwoInRange() {
        for (int bad : new int[] {0, 512, 1000, 65_535, 1 << 23}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new EngineConfig(1, "backoff", 4096, 16, bad), "" + bad);
            assertTrue(e.getMessage().contains("power of two in [1024, 4194304]: " + bad), e.getMessage());
        }
    }
}
