package io.podswitch.service;

import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceTableTest {
    static final int TCP = 6;
    static final int UDP = 17;

    static ServiceEntry v4(int id, int protocol, String vip, int port, int generation, ServiceEndpoint... endpoints) {
        return new ServiceEntry(id, "s" + id, ServiceKind.CLUSTER_IP, protocol, FlowHash.IPV4_MAPPED_HIGH,
            FlowHash.ipv4MappedLow(Ip4.parse(vip)), port, List.of(endpoints), false, 0, generation, 13);
    }

    static ServiceEndpoint ep(String address, int port) {
        return ServiceEndpoint.ipv4(Ip4.parse(address), port, 1, true, false, false);
    }

    @Test
    void findsByProtocolAddressAndPort() {
        ServiceTable t = new ServiceTable(8, 1);
        ServiceEntry a = v4(0, TCP, "10.96.0.1", 80, 1, ep("10.0.0.5", 8080));
        ServiceEntry b = v4(1, UDP, "10.96.0.1", 80, 1, ep("10.0.0.5", 8080));
        long[] six = Ip6.parse("fd96::1");
        ServiceEntry c = new ServiceEntry(2, "six", ServiceKind.CLUSTER_IP, TCP, six[0], six[1], 80,
            List.of(new ServiceEndpoint(six[0], 5, 80, 1, true, false, true)), false, 0, 1, 13);
        t.put(a);
        t.put(b);
        t.put(c);
        assertSame(a, t.find4(TCP, Ip4.parse("10.96.0.1"), 80));
        assertSame(b, t.find4(UDP, Ip4.parse("10.96.0.1"), 80));
        assertSame(c, t.find(TCP, six[0], six[1], 80));
        assertNull(t.find4(TCP, Ip4.parse("10.96.0.1"), 81));
        assertNull(t.find4(TCP, Ip4.parse("10.96.0.2"), 80));
        assertEquals(3, t.size());
        t.remove(1);
        assertNull(t.find4(UDP, Ip4.parse("10.96.0.1"), 80));
        assertSame(a, t.find4(TCP, Ip4.parse("10.96.0.1"), 80));
        assertEquals(2, t.size());
        assertEquals(1, t.freeId());
    }

    @Test
    void replacingAnEntryPublishesTheNewGeneration() {
        ServiceTable t = new ServiceTable(4, 1);
        t.put(v4(0, TCP, "10.96.0.1", 80, 1, ep("10.0.0.5", 8080)));
        ServiceEntry next = v4(0, TCP, "10.96.0.1", 80, 2, ep("10.0.0.5", 8080), ep("10.0.0.6", 8080));
        t.put(next);
        assertSame(next, t.find4(TCP, Ip4.parse("10.96.0.1"), 80));
        assertEquals(1, t.size());
    }

    @Test
    void manyEntriesStayFindable() {
        ServiceTable t = new ServiceTable(1024, 1);
        for (int i = 0; i < 1000; i++) {
            t.put(v4(i, TCP, "10.96." + (i / 250) + "." + (i % 250), 80 + i % 3, 1));
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, t.find4(TCP, Ip4.parse("10.96." + (i / 250) + "." + (i % 250)), 80 + i % 3).id());
        }
    }

    @Test
    void rejectsBadInputAndLeavesTheTableUntouched() {
        ServiceTable t = new ServiceTable(4, 1);
        t.put(v4(0, TCP, "10.96.0.1", 80, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> t.put(v4(1, TCP, "10.96.0.1", 80, 1)));
        assertTrue(e.getMessage().contains("same key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.put(v4(4, TCP, "10.96.0.2", 80, 1)));
        assertThrows(IllegalArgumentException.class, () -> v4(1, 1, "10.96.0.2", 80, 1));
        assertThrows(IllegalArgumentException.class, () -> v4(1, TCP, "10.96.0.2", 0, 1));
        long[] six = Ip6.parse("fd00::5");
        var mixed = assertThrows(IllegalArgumentException.class, () -> v4(1, TCP, "10.96.0.2", 80, 1,
            new ServiceEndpoint(six[0], six[1], 80, 1, true, false, false)));
        assertTrue(mixed.getMessage().contains("family"), mixed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ep("10.0.0.1", 0));
        assertEquals(1, t.size());
        assertEquals(0, t.find4(TCP, Ip4.parse("10.96.0.1"), 80).id());
    }

    @Test
    void externalLocalTableHoldsOnlyLocalEndpoints() {
        ServiceEntry e = new ServiceEntry(0, "np", ServiceKind.NODE_PORT, TCP, FlowHash.IPV4_MAPPED_HIGH,
            ServiceTable.NODE_PORT4_LOW, 30080, List.of(ep("10.0.0.5", 80),
            ServiceEndpoint.ipv4(Ip4.parse("10.0.1.5"), 80, 1, true, false, true)), true, 0, 1, 13);
        for (int slot = 0; slot < 13; slot++) {
            assertEquals(1, e.externalTable().slot(slot));
        }
        assertEquals(-1, e.indexOfServing(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Ip4.parse("10.0.9.9")), 80));
        assertEquals(0, e.indexOfServing(FlowHash.IPV4_MAPPED_HIGH, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.5")), 80));
    }

    @Test
    void backendFilterFollowsTheEndpointsOfPublishedEntries() {
        ServiceTable t = new ServiceTable(4, 1);
        long a = FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.5"));
        assertFalse(t.isBackend(TCP, 0, a, 8080));
        t.put(v4(0, TCP, "10.96.0.1", 80, 1, ep("10.0.0.5", 8080)));
        assertTrue(t.isBackend(TCP, 0, a, 8080));
        assertFalse(t.isBackend(UDP, 0, a, 8080), "protocol is part of the key");
        assertFalse(t.isBackend(TCP, 0, a, 8081), "port is part of the key");
        assertFalse(t.isBackend(TCP, 0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.6")), 8080));
        t.put(v4(0, TCP, "10.96.0.1", 80, 2, ep("10.0.0.6", 8080)));
        assertFalse(t.isBackend(TCP, 0, a, 8080), "a removed endpoint leaves the filter");
        t.remove(0);
        assertFalse(t.isBackend(TCP, 0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.6")), 8080));
    }

    @Test
    void countersSumOverWorkers() {
        ServiceTable t = new ServiceTable(4, 3);
        t.counters().increment(0, 2, ServiceCounters.PACKETS);
        t.counters().increment(2, 2, ServiceCounters.PACKETS);
        t.counters().increment(1, 2, ServiceCounters.NO_BACKEND);
        assertEquals(2, t.counters().get(2, ServiceCounters.PACKETS));
        assertEquals(1, t.counters().get(2, ServiceCounters.NO_BACKEND));
        assertEquals(0, t.counters().get(1, ServiceCounters.PACKETS));
        t.counters().reset(2);
        assertEquals(0, t.counters().get(2, ServiceCounters.PACKETS));
    }

    @Test
    void growsPastItsFirstIdsAndReusesTombstonesWithoutLosingAKey() {
        ServiceTable t = new ServiceTable(1 << 16, 2);
        assertEquals(1024, t.capacity(), "memory follows what the table holds");
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5000; i++) {
                t.put(v4(i, TCP, "10.96." + (i >> 8) + "." + (i & 0xff), 80 + round, round + 1, ep("10.0.0.5", 8080 + i)));
            }
            assertEquals(5000, t.size());
            for (int i = 0; i < 5000; i++) {
                ServiceEntry e = t.find4(TCP, Ip4.parse("10.96." + (i >> 8) + "." + (i & 0xff)), 80 + round);
                assertEquals(i, e.id(), "key " + i + " after round " + round);
                assertTrue(t.isBackend(TCP, 0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.5")), 8080 + i));
            }
            assertNull(t.find4(TCP, Ip4.parse("10.96.0.1"), 80 + round - 1), "the previous round's keys are gone");
        }
        assertTrue(t.capacity() >= 5000);
        t.counters().increment(1, 4999, ServiceCounters.PACKETS);
        assertEquals(1, t.counters().get(4999, ServiceCounters.PACKETS));
        for (int i = 0; i < 5000; i++) {
            t.remove(i);
        }
        assertEquals(0, t.size());
        assertFalse(t.isBackend(TCP, 0, FlowHash.ipv4MappedLow(Ip4.parse("10.0.0.5")), 8080));
        assertEquals(0, t.freeId(), "removed ids are free again");
        assertEquals(5000, t.freeId(5000));
    }

    @Test
    void aKeyNewToAnIdStartsWithZeroCounters() {
        ServiceTable t = new ServiceTable(8, 1);
        t.put(v4(0, TCP, "10.96.0.1", 80, 1));
        t.counters().increment(0, 0, ServiceCounters.PACKETS);
        t.put(v4(0, TCP, "10.96.0.1", 80, 2));
        assertEquals(1, t.counters().get(0, ServiceCounters.PACKETS), "a new generation of the key keeps counting");
        t.put(v4(0, TCP, "10.96.0.2", 80, 3));
        assertEquals(0, t.counters().get(0, ServiceCounters.PACKETS), "another key on the id starts from zero");
        assertNull(t.find4(TCP, Ip4.parse("10.96.0.1"), 80));
        assertEquals(0, t.find4(TCP, Ip4.parse("10.96.0.2"), 80).id());
    }

    /**
     * The lock-free promise: while the control thread adds, replaces and removes thousands of other keys
     * (rebuilding the index and the endpoint filter several times and growing the ids), a worker looking up a
     * set of keys that stay published never misses one, never gets another key's entry, and the filter never
     * forgets their endpoints.
     */
    @Test
    void readersNeverMissAKeyThatStaysWhileOthersChurn() throws Exception {
        ServiceTable t = new ServiceTable(1 << 16, 1);
        int stable = 64;
        for (int i = 0; i < stable; i++) {
            t.put(v4(i, UDP, "10.97.0." + i, 53, 1, ep("10.1.0." + i, 5353)));
        }
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong misses = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong lookups = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            long n = 0;
            while (!done.get()) {
                for (int i = 0; i < stable; i++) {
                    ServiceEntry e = t.find4(UDP, Ip4.parse("10.97.0." + i), 53);
                    if (e == null || e.port() != 53 || e.addressLow() != FlowHash.ipv4MappedLow(Ip4.parse("10.97.0." + i))
                            || !t.isBackend(UDP, 0, FlowHash.ipv4MappedLow(Ip4.parse("10.1.0." + i)), 5353)) {
                        misses.incrementAndGet();
                    }
                    n++;
                }
            }
            lookups.set(n);
        });
        reader.start();
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 2000; i++) {
                t.put(v4(stable + i, TCP, "10.98." + (i >> 8) + "." + (i & 0xff), 80, round + 1,
                    ep("10.2." + (i >> 8) + "." + (i & 0xff), 8080)));
            }
            for (int i = 0; i < stable; i++) {
                // Replace the stable keys in place too (a new generation, same key and endpoint).
                t.put(v4(i, UDP, "10.97.0." + i, 53, round + 2, ep("10.1.0." + i, 5353)));
            }
            for (int i = 0; i < 2000; i++) {
                t.remove(stable + i);
            }
        }
        done.set(true);
        reader.join();
        assertTrue(lookups.get() > 0);
        assertEquals(0, misses.get(), "misses in " + lookups.get() + " lookups");
    }
}
