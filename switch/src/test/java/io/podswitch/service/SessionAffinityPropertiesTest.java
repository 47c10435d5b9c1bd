package io.podswitch.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random record / lookup / remove / sweep / clock sequences against a HashMap reference. */
class SessionAffinityPropertiesTest {
    private static final long CLIENT = FlowHash.ipv4MappedLow(0x0A01_0005);

    /** op: 0 record (backend in arg), 1 lookup, 2 remove, 3 sweep (budget in arg), 4 advance clock. */
    record Op(int kind, int client, int arg) {
    }

    record Entry(int backend, long lastSeen) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 29),
            Arbitraries.integers().between(0, 30)).as(Op::new).list().ofMaxSize(300);
    }

    @Property(tries = 200)
    void behavesLikeAMapWithTimeouts(@ForAll("ops") List<Op> ops) {
        SessionAffinity affinity = new SessionAffinity("affinity.model", 16, 16, 50);
        Map<Integer, Entry> model = new HashMap<>();
        long now = 0;
        for (Op op : ops) {
            final long at = now;
            model.values().removeIf(e -> at - e.lastSeen() > 50);
            int service = op.client() % 2;
            long high = op.client() % 3 == 0 ? 0xfd00_0000_0000_0000L : 0;
            long low = CLIENT + op.client();
            Entry expected = model.get(op.client());
            switch (op.kind()) {
                case 0 -> {
                    int slot = affinity.record(service, high, low, op.arg(), now);
                    if (expected == null && model.size() == 16) {
                        assertEquals(SessionAffinity.FULL, slot);
                    } else {
                        assertTrue(slot >= 0, "record failed with " + model.size() + " live entries");
                        model.put(op.client(), new Entry(op.arg(), now));
                    }
                }
                case 1 -> {
                    int slot = affinity.lookup(service, high, low, now);
                    assertEquals(expected != null, slot >= 0);
                    if (expected != null) {
                        assertEquals(expected.backend(), affinity.backend(slot));
                    }
                }
                case 2 -> {
                    int slot = affinity.lookup(service, high, low, now);
                    if (slot >= 0) {
                        affinity.remove(slot);
                        model.remove(op.client());
                    }
                }
                case 3 -> affinity.sweep(now, op.arg());
                default -> now += op.arg();
            }
        }
    }
}
