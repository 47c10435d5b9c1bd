package io.podswitch.daemon.engine;

import io.podswitch.graph.Interface;
import io.podswitch.port.memory.MemoryPort;
import org.junit.jupiter.api.Test;

/**
 * Every port the engine has ids for can be attached with as many queues as the daemon gives a pod TAP
 * (one per worker plus one: flow steering) — the RX tables once held one queue per port, and a
 * one-worker node refused every ADD past half its max pods.
 */
class SwitchEngineRxQueuesTest {

    @Test
    void everyPortIdAttachesWithAQueuePerWorkerPlusOne() {
        for (int workers : new int[] {1, 2}) {
            int maxPorts = 10;
            try (SwitchEngine engine = new SwitchEngine(new EngineConfig(workers, "backoff", 4096, maxPorts))) {
                for (int i = 0; i < maxPorts; i++) {
                    MemoryPort port = new MemoryPort(engine.allocatePortId(), "eth" + i, engine.pool(), workers + 1, 64);
                    engine.attachPort(Interface.builder(port, 0x02_00_00_00_00_01L).build());
                }
            }
        }
    }
}
