package io.podswitch.daemon.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * How the AF_XDP uplink sizes itself: one socket per active receive queue (as sysfs lists them), and
 * fill/RX rings that together lend the kernel at most a quarter of the frame pool. The traffic side —
 * flows spread over four receive queues of every node's uplink — is the cluster matrix's
 * (ClusterHarness.UPLINK_QUEUES).
 */
class AfXdpUplinkTest {
    @Test
    void ringsShrinkWithTheQueueCountWithinBounds() {
        assertEquals(2048, AfXdpUplink.ringSize(16_384, 1), "one queue: the default");
        assertEquals(2048, AfXdpUplink.ringSize(16_384, 2));
        assertEquals(1024, AfXdpUplink.ringSize(16_384, 4));
        assertEquals(256, AfXdpUplink.ringSize(16_384, 16));
        assertEquals(256, AfXdpUplink.ringSize(1_000, 8), "never below 256");
        assertEquals(512, AfXdpUplink.ringSize(12_000, 4), "a power of two at most frames / (4 × queues)");
    }

    @Test
    void activeQueuesComeFromSysfsAndDefaultToOne() {
        assertEquals(1, AfXdpUplink.activeReceiveQueues("lo"));
        assertEquals(1, AfXdpUplink.activeReceiveQueues("no-such-if0"));
    }
}
