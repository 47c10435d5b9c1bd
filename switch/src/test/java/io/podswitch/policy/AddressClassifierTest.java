package io.podswitch.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Tuple-space longest-prefix match against a brute-force scan over the same prefixes. */
class AddressClassifierTest {
    private record P4(int prefix, int length, long info) {
    }

    private record P6(long high, long low, int length, long info) {
    }

    @Property(tries = 200)
    void ipv4MatchesTheLongestPrefix(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long def = AddressInfo.of(0, AddressInfo.NO_SLOT, false);
        AddressClassifier.Builder b = new AddressClassifier.Builder(def);
        List<P4> prefixes = new ArrayList<>();
        int base = r.nextInt();
        int n = 1 + r.nextInt(200);
        for (int i = 0; i < n; i++) {
            int length = new int[] {32, 32, 32, 24, 16, 8, 30, 0}[r.nextInt(8)];
            int prefix = (base ^ (r.nextInt() & r.nextInt() & 0xffff)) & AddressClassifier.mask4(length);
            long info = AddressInfo.of(1 + r.nextInt(1000), r.nextInt(3) - 1, r.nextBoolean());
            prefixes.removeIf(p -> p.length == length && p.prefix == prefix);
            prefixes.add(new P4(prefix, length, info));
            b.add4(prefix, length, info);
        }
        AddressClassifier c = b.build();
        for (int i = 0; i < 2000; i++) {
            int address = r.nextBoolean() ? prefixes.get(r.nextInt(prefixes.size())).prefix | (r.nextInt() & 0xff)
                    : base ^ (r.nextInt() & 0xffff);
            long expected = def;
            int best = -1;
            for (P4 p : prefixes) {
                if ((address & AddressClassifier.mask4(p.length)) == p.prefix && p.length > best) {
                    best = p.length;
                    expected = p.info;
                }
            }
            assertEquals(expected, c.lookup4(address), Integer.toHexString(address));
        }
    }

    @Property(tries = 200)
    void ipv6MatchesTheLongestPrefix(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long def = AddressInfo.of(7, AddressInfo.NO_SLOT, false);
        AddressClassifier.Builder b = new AddressClassifier.Builder(def);
        List<P6> prefixes = new ArrayList<>();
        long high = r.nextLong();
        int n = 1 + r.nextInt(200);
        for (int i = 0; i < n; i++) {
            int length = new int[] {128, 128, 64, 56, 120, 48, 96, 0}[r.nextInt(8)];
            long h = high & AddressClassifier.maskHigh(length);
            long l = (r.nextInt(0x10000) | (long) r.nextInt(4) << 48) & AddressClassifier.maskLow(length);
            long info = AddressInfo.of(1 + r.nextInt(1000), r.nextInt(3) - 1, r.nextBoolean());
            prefixes.removeIf(p -> p.length == length && p.high == h && p.low == l);
            prefixes.add(new P6(h, l, length, info));
            b.add6(h, l, length, info);
        }
        AddressClassifier c = b.build();
        for (int i = 0; i < 2000; i++) {
            long ah = r.nextInt(8) == 0 ? r.nextLong() : high;
            long al = r.nextBoolean() ? prefixes.get(r.nextInt(prefixes.size())).low : r.nextInt(0x10000) | (long) r.nextInt(4) << 48;
            long expected = def;
            int best = -1;
            for (P6 p : prefixes) {
                if ((ah & AddressClassifier.maskHigh(p.length)) == p.high && (al & AddressClassifier.maskLow(p.length)) == p.low
                        && p.length > best) {
                    best = p.length;
                    expected = p.info;
                }
            }
            assertEquals(expected, c.lookup6(ah, al));
        }
    }

    @Test
    void infoPacking() {
        long info = AddressInfo.of(123456, 42, true);
        assertEquals(123456, AddressInfo.peerClass(info));
        assertEquals(42, AddressInfo.slot(info));
        assertEquals(true, AddressInfo.isNode(info));
        assertEquals(AddressInfo.NO_SLOT, AddressInfo.slot(AddressInfo.of(0, AddressInfo.NO_SLOT, false)));
        assertThrows(IllegalArgumentException.class, () -> new AddressClassifier.Builder(0L));
        assertThrows(IllegalArgumentException.class, () -> AddressInfo.of(1, AddressInfo.MAX_SLOTS + 1, false));
    }
}
