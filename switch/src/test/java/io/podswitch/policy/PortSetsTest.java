package io.podswitch.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Port sets against the obvious answer: the lowest policy among the ranges (and the any-rule) covering a port. */
class PortSetsTest {
    private static final int[] PROTOCOLS = {6, 17, 132};

    @Property(tries = 300)
    void lowestCoveringPolicyWins(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = r.nextInt(40);
        int[][] ranges = new int[n][];
        PortSets.Builder b = new PortSets.Builder();
        PortSets.Spec spec = b.spec();
        int any = r.nextInt(4) == 0 ? r.nextInt(50) : -1;
        if (any >= 0) {
            spec.any(any);
        }
        for (int i = 0; i < n; i++) {
            int proto = PROTOCOLS[r.nextInt(3)];
            int first = r.nextInt(4) == 0 ? 0 : r.nextInt(2000);
            int last = r.nextInt(8) == 0 ? 65535 : Math.min(65535, first + r.nextInt(300));
            int policy = r.nextInt(50);
            ranges[i] = new int[] {proto, first, last, policy};
            spec.range(proto, first, last, policy);
        }
        int id = b.add(spec);
        PortSets sets = b.build();
        for (int proto : new int[] {6, 17, 132, 1}) {
            int lowest = Integer.MAX_VALUE; // over every port: -1 as soon as one port is not allowed
            for (int port = 0; port <= 65535; port++) {
                int e = expected(ranges, any, proto, port);
                if (port <= 2400 || port == 65535) {
                    assertEquals(e, sets.match(id, proto, port), "proto " + proto + " port " + port);
                }
                lowest = e < 0 || lowest < 0 ? -1 : Math.min(lowest, e);
            }
            assertEquals(lowest, sets.matchEveryPort(id, proto), "a packet without ports, proto " + proto);
        }
    }

    private static int expected(int[][] ranges, int any, int proto, int port) {
        int best = any;
        for (int[] range : ranges) {
            if (range[0] == proto && port >= range[1] && port <= range[2] && (best < 0 || range[3] < best)) {
                best = range[3];
            }
        }
        return best;
    }

    @Test
    void equalSetsShareAnIdAndSetZeroDeniesEverything() {
        PortSets.Builder b = new PortSets.Builder();
        int first = b.add(b.spec().range(6, 80, 80, 1).range(6, 81, 81, 1));
        int second = b.add(b.spec().range(6, 80, 81, 1));
        assertEquals(first, second, "adjacent ranges of one policy are one segment");
        PortSets sets = b.build();
        assertEquals(PortSets.DENIED, sets.match(PortSets.DENY, 6, 80));
        assertEquals(PortSets.DENIED, sets.match(PortSets.DENY, 1, 0));
        assertEquals(1, sets.match(first, 6, 81));
        assertEquals(PortSets.DENIED, sets.match(first, 17, 80), "TCP ranges do not allow UDP");
    }
}
