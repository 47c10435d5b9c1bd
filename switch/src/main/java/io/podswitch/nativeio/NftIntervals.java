package io.podswitch.nativeio;

import io.podswitch.nativeio.bpf.IpPrefix;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prefixes → the elements of an nf_tables interval set, the way nft encodes them for the kernel's
 * rbtree sets. A range {@code [a, b]} is two elements: key {@code a}, and key {@code b + 1} flagged
 * INTERVAL_END; a range that runs to the top of the key space has no end element (nft marks its start
 * "interval open" in the element's user data). Before the first range, a key 0 flagged INTERVAL_END
 * closes the empty space below it (left out when the first range starts at 0):
 * <pre>
 *   10.0.0.0/8, 192.168.77.0/24  →  0.0.0.0 END | 10.0.0.0 | 11.0.0.0 END | 192.168.77.0 | 192.168.78.0 END
 *   128.0.0.0/1                  →  0.0.0.0 END | 128.0.0.0 (open)
 * </pre>
 * Overlapping and adjacent prefixes are merged first: the kernel refuses overlapping intervals.
 */
final class NftIntervals {
    private NftIntervals() {
    }

    /** One element: its key (network order), whether it ends an interval, whether it opens one to the top. */
    record Element(byte[] key, boolean intervalEnd, boolean open) {
    }

    /** The elements for {@code prefixes} (all {@code keyLength} bytes long), merged and sorted. */
    static List<Element> of(List<IpPrefix> prefixes, int keyLength) {
        int bits = keyLength * 8;
        BigInteger top = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        List<BigInteger[]> ranges = new ArrayList<>();
        for (IpPrefix p : prefixes) {
            BigInteger start = new BigInteger(1, p.address());
            BigInteger size = BigInteger.ONE.shiftLeft(bits - p.length());
            ranges.add(new BigInteger[] {start, start.add(size).subtract(BigInteger.ONE)});
        }
        ranges.sort(Comparator.comparing((BigInteger[] r) -> r[0]));
        List<BigInteger[]> merged = new ArrayList<>();
        for (BigInteger[] r : ranges) {
            BigInteger[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r[0].compareTo(last[1].add(BigInteger.ONE)) <= 0) {
                last[1] = last[1].max(r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        List<Element> elements = new ArrayList<>();
        if (!merged.isEmpty() && merged.getFirst()[0].signum() != 0) {
            elements.add(new Element(new byte[keyLength], true, false));
        }
        for (BigInteger[] r : merged) {
            boolean open = r[1].equals(top);
            elements.add(new Element(bytes(r[0], keyLength), false, open));
            if (!open) {
                elements.add(new Element(bytes(r[1].add(BigInteger.ONE), keyLength), true, false));
            }
        }
        return elements;
    }

    private static byte[] bytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
