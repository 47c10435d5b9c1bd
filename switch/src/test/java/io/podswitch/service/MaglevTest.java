package io.podswitch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class MaglevTest {
    private static final MaglevBackend A = MaglevBackend.ipv4(0x0A01_0002, 8080, 1, true, false);
    private static final MaglevBackend B = MaglevBackend.ipv4(0x0A02_0002, 8080, 1, true, false);
    private static final MaglevBackend C = MaglevBackend.ipv4(0x0A03_0002, 8080, 1, true, false);

    @Test
    void thousandFlowsSpreadOverThreeBackendsWithinTwentyPercent() {
        MaglevTable table = MaglevTable.build(List.of(A, B, C), MaglevTable.DEFAULT_SIZE);
        int[] counts = new int[3];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            // 1,000 short connections from one client: only the source port differs, as in the test.
            long hash = FlowHash.hash4(6, 0x0A01_0005, 0x0A60_0001, 32768 + random.nextInt(28000), 80);
            counts[table.lookup(hash)]++;
        }
        for (int count : counts) {
            assertTrue(Math.abs(count - 1000 / 3.0) <= 0.2 * 1000 / 3.0, "spread " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void sizeMustBePrime() {
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(List.of(A), 65536));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(List.of(A), 2));
        assertThrows(IllegalArgumentException.class, () -> new Maglev(1));
        assertEquals(7, MaglevTable.build(List.of(A), 7).size());
    }

    @Test
    void moreBackendsThanSlotsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(List.of(A, B, C, A, B, C, A, B), 7));
    }

    @Test
    void badBackendsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MaglevBackend.ipv4(1, 65536, 1, true, false));
        assertThrows(IllegalArgumentException.class, () -> MaglevBackend.ipv4(1, 80, -1, true, false));
        assertThrows(IllegalArgumentException.class, () -> MaglevBackend.ipv4(1, 80, MaglevBackend.MAX_WEIGHT + 1, true, false));
    }

    @Test
    void onlyReadyNonTerminatingBackendsServeWhileAnyExist() {
        MaglevBackend terminating = MaglevBackend.ipv4(0x0A04_0002, 8080, 1, true, true);
        MaglevBackend notReady = MaglevBackend.ipv4(0x0A05_0002, 8080, 1, false, false);
        MaglevBackend zeroWeight = MaglevBackend.ipv4(0x0A06_0002, 8080, 0, true, false);
        MaglevTable table = MaglevTable.build(List.of(terminating, notReady, A, zeroWeight), 101);
        for (int s = 0; s < table.size(); s++) {
            assertEquals(2, table.slot(s));
        }
    }

    @Test
    void terminatingBackendsServeWhenNoneIsReady() {
        MaglevBackend terminating = MaglevBackend.ipv4(0x0A04_0002, 8080, 1, true, true);
        MaglevBackend terminatingNotServing = MaglevBackend.ipv4(0x0A07_0002, 8080, 1, false, true);
        MaglevBackend notReady = MaglevBackend.ipv4(0x0A05_0002, 8080, 1, false, false);
        MaglevTable table = MaglevTable.build(List.of(notReady, terminatingNotServing, terminating), 101);
        for (int s = 0; s < table.size(); s++) {
            assertEquals(2, table.slot(s));
        }
    }

    @Test
    void noEligibleBackendMeansNoBackend() {
        MaglevTable table = MaglevTable.build(List.of(MaglevBackend.ipv4(1, 80, 1, false, false)), 101);
        assertTrue(table.isEmpty());
        assertEquals(MaglevTable.NO_BACKEND, table.lookup(12345));
        assertEquals(MaglevTable.NO_BACKEND, new Maglev(101).lookup(-1));
    }

    @Test
    void publishSwapsTheWholeTable() {
        Maglev maglev = new Maglev(101);
        MaglevTable first = maglev.publish(List.of(A, B));
        assertSame(first, maglev.table());
        MaglevTable second = maglev.publish(List.of(C));
        assertSame(second, maglev.table());
        assertEquals(0, maglev.lookup(42));
        int[] counts = MaglevPropertiesTest.counts(first, 2);
        assertTrue(counts[0] > 0 && counts[1] > 0, "the old table is untouched by the swap");
    }

    @Test
    void flowHashIsFixedAcrossProcessesAndFamilies() {
        // Pinned values: nodes running different builds must agree, so the hash may never drift silently.
        assertEquals(FlowHash.hash4(6, 0x0A00_0001, 0x0A60_0001, 40000, 80),
            FlowHash.hash6(6, 0, 0x0000_ffff_0A00_0001L, 0, 0x0000_ffff_0A60_0001L, 40000, 80));
        assertEquals(PINNED_HASH4, FlowHash.hash4(6, 0x0A00_0001, 0x0A60_0001, 40000, 80));
        assertTrue(FlowHash.hash4(6, 0x0A00_0001, 0x0A60_0001, 40000, 80) != FlowHash.hash4(17, 0x0A00_0001, 0x0A60_0001, 40000, 80));
        assertTrue(FlowHash.hash4(6, 0x0A00_0001, 0x0A60_0001, 40000, 80) != FlowHash.hash4(6, 0x0A60_0001, 0x0A00_0001, 80, 40000));
    }

    private static final long PINNED_HASH4 = 8678006796662073136L;
}
