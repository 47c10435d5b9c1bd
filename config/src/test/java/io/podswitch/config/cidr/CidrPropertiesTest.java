package io.podswitch.config.cidr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** CIDR and address arithmetic checked against {@link BigIntegerReference} over random prefixes. */
class CidrPropertiesTest {

    private static final int TRIES = 400;

    @Provide
    Arbitrary<IpAddress> addresses() {
        // Groups are zero half the time, so runs of zero groups (and "::") come up often.
        Arbitrary<Integer> group = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 0xffff));
        Arbitrary<IpAddress> v6 = group.list().ofSize(8).map(groups -> {
            long high = 0;
            long low = 0;
            for (int i = 0; i < 4; i++) {
                high = high << 16 | groups.get(i);
                low = low << 16 | groups.get(i + 4);
            }
            return new Ip6Address(high, low);
        });
        Arbitrary<IpAddress> mapped = Arbitraries.integers().map(v -> new Ip4Address(v).toIpv4Mapped());
        Arbitrary<IpAddress> v4 = Arbitraries.integers().map(Ip4Address::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, v4), net.jqwik.api.Tuple.of(5, v6), net.jqwik.api.Tuple.of(1, mapped));
    }

    @Provide
    Arbitrary<Cidr> cidrs() {
        return addresses().flatMap(a -> Arbitraries.integers().between(0, a.family().bits()).map(p -> Cidr.masked(a, p)));
    }

    /** Pairs of prefixes in the same family, often nested (same base address, different lengths). */
    @Provide
    Arbitrary<Cidr[]> cidrPairs() {
        return addresses().flatMap(a -> {
            Arbitrary<Integer> length = Arbitraries.integers().between(0, a.family().bits());
            Arbitrary<IpAddress> other = addresses().filter(b -> b.family() == a.family());
            Arbitrary<IpAddress> second = Arbitraries.oneOf(Arbitraries.just(a), other);
            return Combinators.combine(length, length, second)
                    .as((p1, p2, b) -> new Cidr[] {Cidr.masked(a, p1), Cidr.masked(b, p2)});
        });
    }

    @Property(tries = TRIES)
    void addressTextRoundTrips(@ForAll("addresses") IpAddress address) {
        assertEquals(address, IpAddress.parse(address.toString()));
    }

    @Property(tries = TRIES)
    void parsingAgreesWithTheJdk(@ForAll("addresses") IpAddress address) {
        String text = address.toString();
        assertEquals(BigIntegerReference.jdkParse(text, address.family()),
                BigIntegerReference.value(IpAddress.parse(text)), text);
    }

    @Property(tries = TRIES)
    void ipv6TextIsRfc5952(@ForAll("addresses") IpAddress address) {
        if (address instanceof Ip6Address) {
            assertEquals(BigIntegerReference.rfc5952(BigIntegerReference.value(address)), address.toString());
        }
    }

    @Property(tries = TRIES)
    void cidrTextRoundTrips(@ForAll("cidrs") Cidr cidr) {
        assertEquals(cidr, Cidr.parse(cidr.toString()));
    }

    @Property(tries = TRIES)
    void maskingMatchesTheReference(@ForAll("addresses") IpAddress address, @ForAll("lengths") int rawLength) {
        int bits = address.family().bits();
        int length = rawLength % (bits + 1);
        BigInteger value = BigIntegerReference.value(address);
        Cidr cidr = Cidr.masked(address, length);
        assertEquals(BigIntegerReference.network(value, length, bits), BigIntegerReference.value(cidr.network()));
        boolean hostBits = !BigIntegerReference.network(value, length, bits).equals(value);
        assertEquals(hostBits, Cidr.hasHostBits(address, length));
        if (hostBits) {
            IpFormatException e = assertThrows(IpFormatException.class, () -> Cidr.parse(address + "/" + length));
            assertEquals(address + "/" + length + " has host bits set; the network is " + cidr, e.getMessage());
        }
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(0, 128);
    }

    @Property(tries = TRIES)
    void containsAddressMatchesTheReference(@ForAll("cidrs") Cidr cidr, @ForAll("addresses") IpAddress address) {
        int bits = cidr.family().bits();
        boolean expected = address.family() == cidr.family() && BigIntegerReference.contains(
                BigIntegerReference.value(cidr.network()), cidr.prefixLength(), BigIntegerReference.value(address), bits);
        assertEquals(expected, cidr.contains(address));
        assertEquals(true, cidr.contains(cidr.network()));
        assertEquals(true, cidr.contains(cidr.lastAddress()));
    }

    @Property(tries = TRIES)
    void containsAndOverlapsMatchTheReference(@ForAll("cidrPairs") Cidr[] pair) {
        Cidr a = pair[0];
        Cidr b = pair[1];
        int bits = a.family().bits();
        BigInteger na = BigIntegerReference.value(a.network());
        BigInteger nb = BigIntegerReference.value(b.network());
        boolean overlaps = BigIntegerReference.overlaps(na, a.prefixLength(), nb, b.prefixLength(), bits);
        assertEquals(overlaps, a.overlaps(b), a + " vs " + b);
        assertEquals(overlaps, b.overlaps(a), b + " vs " + a);
        boolean aContainsB = b.prefixLength() >= a.prefixLength()
                && BigIntegerReference.contains(na, a.prefixLength(), nb, bits);
        assertEquals(aContainsB, a.contains(b), a + " contains " + b);
    }

    @Property(tries = TRIES)
    void lastAddressMatchesTheReference(@ForAll("cidrs") Cidr cidr) {
        int bits = cidr.family().bits();
        assertEquals(BigIntegerReference.last(BigIntegerReference.value(cidr.network()), cidr.prefixLength(), bits),
                BigIntegerReference.value(cidr.lastAddress()));
    }

    @Property(tries = TRIES)
    void splitMatchesTheReference(@ForAll("cidrs") Cidr cidr, @ForAll("lengths") int rawExtra, @ForAll long rawIndex) {
        int bits = cidr.family().bits();
        int room = bits - cidr.prefixLength();
        int extra = Math.min(rawExtra % (room + 1), 62);
        int subnetLength = cidr.prefixLength() + extra;
        long count = cidr.subnetCount(subnetLength);
        assertEquals(BigInteger.ONE.shiftLeft(extra).longValueExact(), count);
        long index = Math.floorMod(rawIndex, count);
        Cidr subnet = cidr.subnet(subnetLength, index);
        BigInteger expected = BigIntegerReference.subnet(BigIntegerReference.value(cidr.network()), subnetLength, index, bits);
        assertEquals(expected, BigIntegerReference.value(subnet.network()));
        assertEquals(subnetLength, subnet.prefixLength());
        assertEquals(index, cidr.subnetIndexOf(subnet));
        assertEquals(true, cidr.contains(subnet));
        assertThrows(IllegalArgumentException.class, () -> cidr.subnet(subnetLength, count));
    }
}
