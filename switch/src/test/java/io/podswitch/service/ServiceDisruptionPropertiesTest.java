package io.podswitch.service;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Through a service entry (the data path's view, tables sized by their endpoints as in production): removing
 * one of N endpoints moves about 1/N of the flows — those of the removed endpoint — and few others (at most
 * 1.5/N in total over 20,000 random 5-tuples).
 */
class ServiceDisruptionPropertiesTest {
    @Property(tries = 15)
    void removingOneOfNEndpointsMovesAboutOneNth(@ForAll long seed, @ForAll @IntRange(min = 3, max = 16) int n,
                                                 @ForAll @IntRange(min = 0, max = 15) int removedPick) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ServiceEndpoint> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(ServiceEndpoint.ipv4(0x0A01_0000 | random.nextInt(1 << 16), 1 + random.nextInt(65535), 1, true,
                false, false));
        }
        int removed = removedPick % n;
        List<ServiceEndpoint> fewer = new ArrayList<>(all);
        fewer.remove(removed);
        ServiceEntry before = entry(all, 1);
        ServiceEntry after = entry(fewer, 2);
        int flows = 20_000;
        int moved = 0;
        for (int i = 0; i < flows; i++) {
            long hash = FlowHash.hash4(6, random.nextInt(), 0x0A60_0001, random.nextInt(65536), 80);
            int b = before.internalTable().lookup(hash);
            int a = after.internalTable().lookup(hash);
            long bAddr = before.backendLow(b);
            long aAddr = after.backendLow(a);
            if (bAddr != aAddr || before.backendPort(b) != after.backendPort(a)) {
                moved++;
            }
        }
        double fraction = moved / (double) flows;
        assertTrue(fraction >= 0.5 / n && fraction <= 1.5 / n,
            "moved " + fraction + " of flows removing one of " + n + " (1/N = " + 1.0 / n + ")");
    }

    private static ServiceEntry entry(List<ServiceEndpoint> endpoints, int generation) {
        // The production sizing: tables sized by their endpoints (MaglevTable.sizeFor), not 65,537 slots.
        return new ServiceEntry(0, "p", ServiceKind.CLUSTER_IP, 6, FlowHash.IPV4_MAPPED_HIGH,
            FlowHash.ipv4MappedLow(0x0A60_0001), 80, ServiceBackends.of(endpoints, true, false), false, false, 0,
            generation);
    }
}
