package io.podswitch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random insert / lookup / touch / remove / sweep / clock sequences against a HashMap reference. */
class ConnTrackPropertiesTest {
    private static final int CAPACITY = 16;
    private static final int KEYS = 40;

    /** op: 0 insert, 1 lookup, 2 touch (TCP flags in arg), 3 remove, 4 sweep (budget in arg), 5 advance clock. */
    record Op(int kind, int key, int arg) {
    }

    record Entry(int backend, int state, long lastSeen) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, KEYS - 1), Arbitraries.integers().between(0, 40)).as(Op::new);
        return op.list().ofMaxSize(300);
    }

    /** Keys mix IPv4 and IPv6, TCP and UDP, so families and protocols share the table. */
    private static int protocol(int key) {
        return key % 3 == 0 ? 17 : 6;
    }

    private static long high(int key) {
        return key % 2 == 0 ? FlowHash.IPV4_MAPPED_HIGH : 0xfd00_0000_0000_0000L;
    }

    private static long low(int key) {
        return key % 2 == 0 ? FlowHash.ipv4MappedLow(0x0A00_0000 | key) : key;
    }

    private static int lookup(ConnTrack table, int key, long now) {
        return table.lookup(protocol(key), high(key), low(key), 0, 0x0A60_0001L, 1000 + key, 80, now);
    }

    @Property(tries = 300)
    void behavesLikeAMapWithTimeouts(@ForAll("ops") List<Op> ops) {
        ConnTrack table = new ConnTrack("conntrack.model", CAPACITY, CAPACITY, ConnTrackTest.TIMEOUTS);
        Map<Integer, Entry> model = new HashMap<>();
        long now = 0;
        for (Op op : ops) {
            int key = op.key();
            final long at = now;
            model.entrySet().removeIf(e -> at - e.getValue().lastSeen() > ConnTrackTest.TIMEOUTS.forState(e.getValue().state()));
            Entry expected = model.get(key);
            switch (op.kind()) {
                case 0 -> {
                    int state = protocol(key) == 6 ? TcpState.initial(TcpState.SYN) : TcpState.NONE;
                    int slot = table.insert(protocol(key), high(key), low(key), 0, 0x0A60_0001L, 1000 + key, 80, op.arg(), 0, state, now);
                    if (expected == null && model.size() == CAPACITY) {
                        assertEquals(ConnTrack.FULL, slot, "insert into a table of live entries");
                    } else {
                        assertEquals(true, slot >= 0, "insert failed with " + model.size() + " live entries");
                        model.put(key, new Entry(op.arg(), state, now));
                    }
                }
                case 1 -> {
                    int slot = lookup(table, key, now);
                    assertEquals(expected != null, slot >= 0, "presence of key " + key + " at " + now);
                    if (expected != null) {
                        assertEquals(expected.backend(), table.backend(slot));
                        assertEquals(expected.state(), table.tcpState(slot));
                    }
                }
                case 2 -> {
                    int slot = lookup(table, key, now);
                    if (expected != null) {
                        int flags = op.arg() & 0x17;
                        int state = table.touch(slot, flags, now);
                        assertEquals(TcpState.next(expected.state(), flags), state);
                        model.put(key, new Entry(expected.backend(), state, now));
                    }
                }
                case 3 -> {
                    int slot = lookup(table, key, now);
                    if (slot >= 0) {
                        table.remove(slot);
                        model.remove(key);
                    }
                }
                case 4 -> table.sweep(now, op.arg());
                default -> now += op.arg();
            }
        }
        for (int key = 0; key < KEYS; key++) {
            final long at = now;
            model.entrySet().removeIf(e -> at - e.getValue().lastSeen() > ConnTrackTest.TIMEOUTS.forState(e.getValue().state()));
            assertEquals(model.containsKey(key), lookup(table, key, now) >= 0, "final presence of key " + key);
        }
    }
}
