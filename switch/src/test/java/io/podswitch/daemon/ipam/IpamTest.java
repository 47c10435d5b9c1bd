package io.podswitch.daemon.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamTest {
    @TempDir
    Path dir;

    private Ipam dualStack() throws IpamException {
        return new Ipam(List.of(IpRange.parse("10.244.1.0/24"), IpRange.parse("fd00:10:244:1::/64")), dir.resolve("ipam"));
    }

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s);
    }

    @Test
    void firstPodGetsFirstHostAfterGatewayInEachFamilyPrimaryFirst() throws Exception {
        List<InetAddress> got = dualStack().allocate(new Attachment("c1", "eth0"), List.of());
        assertEquals(List.of(ip("10.244.1.2"), ip("fd00:10:244:1::2")), got);
    }

    @Test
    void retriedAddReturnsTheSameAddresses() throws Exception {
        Ipam ipam = dualStack();
        Attachment a = new Attachment("c1", "eth0");
        assertEquals(ipam.allocate(a, List.of()), ipam.allocate(a, List.of()));
        assertEquals(2, ipam.allocatedCount());
    }

    @Test
    void releasedAddressIsNotReusedUntilTheRangeWraps() throws Exception {
        // /29: .0 network, .1 gateway, .2-.6 pods, .7 broadcast
        Ipam ipam = new Ipam(List.of(IpRange.parse("10.0.0.0/29")), dir.resolve("ipam"));
        InetAddress first = ipam.allocate(new Attachment("a", "eth0"), List.of()).getFirst();
        assertEquals(ip("10.0.0.2"), first);
        ipam.release(new Attachment("a", "eth0"));
        List<InetAddress> next = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            next.add(ipam.allocate(new Attachment("b" + i, "eth0"), List.of()).getFirst());
        }
        assertEquals(List.of(ip("10.0.0.3"), ip("10.0.0.4"), ip("10.0.0.5"), ip("10.0.0.6")), next);
        // wrapped: now .2 comes back
        assertEquals(ip("10.0.0.2"), ipam.allocate(new Attachment("c", "eth0"), List.of()).getFirst());
        IpamException full = assertThrows(IpamException.class, () -> ipam.allocate(new Attachment("d", "eth0"), List.of()));
        assertEquals(IpamException.Reason.EXHAUSTED, full.reason());
        assertTrue(full.getMessage().contains("no free address in 10.0.0.0/29"), full.getMessage());
    }

    @Test
    void exhaustionLeavesStateUntouched() throws Exception {
        Ipam ipam = new Ipam(List.of(IpRange.parse("10.0.0.0/30")), dir.resolve("ipam"));
        ipam.allocate(new Attachment("a", "eth0"), List.of());
        String before = Files.readString(dir.resolve("ipam"));
        assertThrows(IpamException.class, () -> ipam.allocate(new Attachment("b", "eth0"), List.of()));
        assertEquals(before, Files.readString(dir.resolve("ipam")));
        assertEquals(1, ipam.allocatedCount());
    }

    @Test
    void allocationsSurviveARestart() throws Exception {
        Ipam ipam = dualStack();
        ipam.allocate(new Attachment("c1", "eth0"), List.of());
        ipam.allocate(new Attachment("c2", "eth0"), List.of());
        ipam.release(new Attachment("c1", "eth0"));

        Ipam restarted = dualStack();
        assertEquals(List.of(ip("10.244.1.3"), ip("fd00:10:244:1::3")), restarted.addressesOf(new Attachment("c2", "eth0")));
        // the last-handed-out marker survived too: the next pod gets .4, not the released .2
        assertEquals(ip("10.244.1.4"), restarted.allocate(new Attachment("c3", "eth0"), List.of()).getFirst());
    }

    @Test
    void requestedStaticAddressIsHonouredAndConflictsRejected() throws Exception {
        Ipam ipam = dualStack();
        assertEquals(List.of(ip("10.244.1.77"), ip("fd00:10:244:1::2")),
                ipam.allocate(new Attachment("c1", "eth0"), List.of(ip("10.244.1.77"))));
        IpamException taken = assertThrows(IpamException.class,
                () -> ipam.allocate(new Attachment("c2", "eth0"), List.of(ip("10.244.1.77"))));
        assertEquals(IpamException.Reason.CONFLICT, taken.reason());
        IpamException gateway = assertThrows(IpamException.class,
                () -> ipam.allocate(new Attachment("c3", "eth0"), List.of(ip("10.244.1.1"))));
        assertEquals(IpamException.Reason.INVALID_REQUEST, gateway.reason());
        assertThrows(IpamException.class, () -> ipam.allocate(new Attachment("c4", "eth0"), List.of(ip("10.9.9.9"))));
        assertEquals(2, ipam.allocatedCount());
    }

    @Test
    void gcFreesWhatTheRuntimeNoLongerLists() throws Exception {
        Ipam ipam = dualStack();
        for (int i = 0; i < 5; i++) {
            ipam.allocate(new Attachment("c" + i, "eth0"), List.of());
        }
        List<Attachment> freed = ipam.retainOnly(Set.of(new Attachment("c1", "eth0"), new Attachment("c3", "eth0")));
        assertEquals(Set.of(new Attachment("c0", "eth0"), new Attachment("c2", "eth0"), new Attachment("c4", "eth0")), new HashSet<>(freed));
        assertEquals(4, dualStack().allocatedCount());
        assertEquals(List.of(), ipam.release(new Attachment("gone", "eth0")));
    }

    @Test
    void sixtyFourParallelAddsNeverShareAnAddress() throws Exception {
        Ipam ipam = dualStack();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<List<InetAddress>>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Attachment a = new Attachment("pod" + i, "eth0");
                futures.add(pool.submit(() -> ipam.allocate(a, List.of())));
            }
            Set<InetAddress> seen = new HashSet<>();
            for (Future<List<InetAddress>> f : futures) {
                for (InetAddress a : f.get()) {
                    assertTrue(seen.add(a), "allocated twice: " + a);
                }
            }
            assertEquals(128, seen.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(128, dualStack().allocatedCount());
    }

    @Test
    void corruptStateFileIsReportedWithFileAndLine() throws Exception {
        Files.writeString(dir.resolve("ipam"), IpamStateFile.MAGIC + "\nlast 10.244.1.9\nalloc c1 eth0 10.244.1.300\n");
        IpamException e = assertThrows(IpamException.class, this::dualStack);
        assertTrue(e.getMessage().contains("ipam:3: corrupt IPAM state"), e.getMessage());
        Files.writeString(dir.resolve("ipam"), "something else\n");
        assertTrue(assertThrows(IpamException.class, this::dualStack).getMessage().contains(":1:"));
    }

    @Test
    void allocationOutsideTheRangeAfterACidrChangeIsRefused() throws Exception {
        dualStack().allocate(new Attachment("c1", "eth0"), List.of());
        IpamException e = assertThrows(IpamException.class,
                () -> new Ipam(List.of(IpRange.parse("10.244.2.0/24")), dir.resolve("ipam")));
        assertTrue(e.getMessage().contains("outside the node's pod ranges"), e.getMessage());
    }

    @Test
    void rangesRejectHostBitsAndTinyPrefixes() {
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.1/24"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/31"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("fd00::/127"));
        assertNotEquals(IpRange.parse("10.0.0.0/24").gateway(), IpRange.parse("10.0.0.0/24").networkAddress());
    }

    @Test
    void addressesAreParsedAsLiteralsOnly() {
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("fe80::1%eth0"));
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("::ffff:10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("10.0.1"));
        assertEquals("fd00:10:244:1::2", IpAddresses.format(ip("fd00:0010:0244:0001:0:0:0:2")));
        assertEquals("1:0:0:1::1", IpAddresses.format(ip("1:0:0:1:0:0:0:1")));
        assertEquals("1::1:0:0:1:1", IpAddresses.format(ip("1:0:0:1:0:0:1:1")));
        assertEquals("1:0:1:1:1:1:1:1", IpAddresses.format(ip("1:0:1:1:1:1:1:1")));
    }
}
