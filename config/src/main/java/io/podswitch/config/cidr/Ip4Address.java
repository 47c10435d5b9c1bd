package io.podswitch.config.cidr;

/** An IPv4 address; {@code value} holds the 32 bits in network order (first octet in the top byte). */
public record Ip4Address(int value) implements IpAddress {

    public static Ip4Address of(int a, int b, int c, int d) {
        for (int octet : new int[] {a, b, c, d}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("octet " + octet + " is outside 0..255");
            }
        }
        return new Ip4Address(a << 24 | b << 16 | c << 8 | d);
    }

    /** Parses a dotted quad strictly: four decimal numbers 0..255, no leading zeros, nothing else. */
    public static Ip4Address parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IpFormatException("'" + text + "' is not an IPv4 address: it needs four numbers separated by dots");
        }
        int value = 0;
        for (String part : parts) {
            value = value << 8 | parseOctet(text, part);
        }
        return new Ip4Address(value);
    }

    static int parseOctet(String text, String part) {
        if (part.isEmpty() || part.length() > 3) {
            throw new IpFormatException("'" + text + "' is not an IPv4 address: '" + part + "' is not a number from 0 to 255");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                throw new IpFormatException("'" + text + "' is not an IPv4 address: '" + part + "' is not a decimal number");
            }
        }
        if (part.length() > 1 && part.charAt(0) == '0') {
            // Some tools read a leading zero as octal (010 = 8), others as decimal: refuse the ambiguity.
            throw new IpFormatException("'" + text + "' has a leading zero in '" + part
                    + "'; write it without leading zeros (some tools read them as octal)");
        }
        int octet = Integer.parseInt(part);
        if (octet > 255) {
            throw new IpFormatException("'" + text + "' is not an IPv4 address: " + octet + " is larger than 255");
        }
        return octet;
    }

    /** The IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d}. */
    public Ip6Address toIpv4Mapped() {
        return new Ip6Address(0L, 0xffff_0000_0000L | (value & 0xffff_ffffL));
    }

    /** The address as an unsigned number 0..2^32-1. */
    public long unsignedValue() {
        return value & 0xffff_ffffL;
    }

    @Override
    public IpFamily family() {
        return IpFamily.IPV4;
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + (value >>> 16 & 0xff) + "." + (value >>> 8 & 0xff) + "." + (value & 0xff);
    }
}
