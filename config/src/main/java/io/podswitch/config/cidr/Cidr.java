package io.podswitch.config.cidr;

/**
 * An IP prefix such as {@code 10.244.0.0/16} or {@code fd00:10:244::/56}. The network address never has
 * host bits set (the constructor refuses them), so two equal prefixes are equal records.
 */
public record Cidr(IpAddress network, int prefixLength) {

    public Cidr {
        if (network == null) {
            throw new IllegalArgumentException("network is null");
        }
        if (prefixLength < 0 || prefixLength > network.family().bits()) {
            throw new IllegalArgumentException("prefix length /" + prefixLength + " is outside 0.."
                    + network.family().bits() + " for " + network.family());
        }
        if (hasHostBits(network, prefixLength)) {
            throw new IllegalArgumentException(network + "/" + prefixLength + " has host bits set");
        }
    }

    /**
     * Parses {@code address/length} strictly: the length is decimal without leading zeros, and the
     * address must have no bits set beyond the prefix (the message names the network that was meant).
     */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IpFormatException("an empty string is not a CIDR");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IpFormatException("'" + text + "' has no prefix length; write it as a CIDR like "
                    + (text.indexOf(':') >= 0 ? "fd00::/64" : "10.0.0.0/16"));
        }
        if (text.indexOf('/', slash + 1) >= 0) {
            throw new IpFormatException("'" + text + "' is not a CIDR: it has more than one '/'");
        }
        IpAddress address = IpAddress.parse(text.substring(0, slash));
        int length = parsePrefixLength(text, text.substring(slash + 1), address.family());
        if (hasHostBits(address, length)) {
            throw new IpFormatException(text + " has host bits set; the network is " + masked(address, length));
        }
        return new Cidr(address, length);
    }

    private static int parsePrefixLength(String text, String digits, IpFamily family) {
        boolean decimal = !digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!decimal || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new IpFormatException("'" + text + "' is not a CIDR: prefix length '" + digits
                    + "' is not a number from 0 to " + family.bits());
        }
        int length = Integer.parseInt(digits);
        if (length > family.bits()) {
            throw new IpFormatException("'" + text + "' is not a CIDR: an " + family + " prefix length is at most /" + family.bits());
        }
        return length;
    }

    /** The prefix of length {@code prefixLength} that contains {@code address} (host bits cleared). */
    public static Cidr masked(IpAddress address, int prefixLength) {
        if (prefixLength < 0 || prefixLength > address.family().bits()) {
            throw new IllegalArgumentException("prefix length /" + prefixLength + " is outside 0.." + address.family().bits());
        }
        long high = AlignedBits.high(address) & AlignedBits.maskHigh(prefixLength);
        long low = AlignedBits.low(address) & AlignedBits.maskLow(prefixLength);
        return new Cidr(AlignedBits.address(address.family(), high, low), prefixLength);
    }

    /** True if {@code address} has bits set beyond the first {@code prefixLength}. */
    public static boolean hasHostBits(IpAddress address, int prefixLength) {
        return (AlignedBits.high(address) & ~AlignedBits.maskHigh(prefixLength)) != 0
                || (AlignedBits.low(address) & ~AlignedBits.maskLow(prefixLength)) != 0;
    }

    public IpFamily family() {
        return network.family();
    }

    public boolean contains(IpAddress address) {
        return address.family() == family()
                && (AlignedBits.high(address) & AlignedBits.maskHigh(prefixLength)) == AlignedBits.high(network)
                && (AlignedBits.low(address) & AlignedBits.maskLow(prefixLength)) == AlignedBits.low(network);
    }

    /** True if every address of {@code other} is in this prefix. */
    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    /** True if the two prefixes share at least one address (for prefixes: one contains the other). */
    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The last address of the prefix (the IPv4 broadcast address). */
    public IpAddress lastAddress() {
        long high = AlignedBits.high(network) | ~AlignedBits.maskHigh(prefixLength);
        long low = AlignedBits.low(network) | ~AlignedBits.maskLow(prefixLength);
        if (family() == IpFamily.IPV4) {
            low = 0;
        }
        return AlignedBits.address(family(), high, low);
    }

    /** How many prefixes of length {@code subnetLength} this one splits into; Long.MAX_VALUE if 2^63 or more. */
    public long subnetCount(int subnetLength) {
        checkSubnetLength(subnetLength);
        int extraBits = subnetLength - prefixLength;
        return extraBits >= 63 ? Long.MAX_VALUE : 1L << extraBits;
    }

    /** Subnet number {@code index} (0-based, in address order) of length {@code subnetLength}. */
    public Cidr subnet(int subnetLength, long index) {
        checkSubnetLength(subnetLength);
        if (index < 0 || index >= subnetCount(subnetLength)) {
            throw new IllegalArgumentException("subnet index " + index + " is outside 0.." + (subnetCount(subnetLength) - 1)
                    + " for /" + subnetLength + " subnets of " + this);
        }
        int shift = 128 - subnetLength;
        long high = AlignedBits.high(network);
        long low = AlignedBits.low(network);
        if (shift >= 64) {
            high |= index << (shift - 64);
        } else {
            low |= index << shift;
            if (shift > 0) {
                high |= index >>> (64 - shift);
            }
        }
        return new Cidr(AlignedBits.address(family(), high, low), subnetLength);
    }

    /**
     * The index that {@link #subnet(int, long)} would give for {@code inner}, which must lie inside this
     * prefix, be longer than it by at most 62 bits.
     */
    public long subnetIndexOf(Cidr inner) {
        if (!contains(inner)) {
            throw new IllegalArgumentException(inner + " is not inside " + this);
        }
        if (inner.prefixLength - prefixLength > 62) {
            throw new IllegalArgumentException(inner + " is more than 62 bits longer than " + this);
        }
        long high = AlignedBits.high(inner.network) & ~AlignedBits.maskHigh(prefixLength);
        long low = AlignedBits.low(inner.network) & ~AlignedBits.maskLow(prefixLength);
        int shift = 128 - inner.prefixLength;
        if (shift >= 64) {
            return high >>> (shift - 64);
        }
        return shift == 0 ? low : (low >>> shift) | (high << (64 - shift));
    }

    private void checkSubnetLength(int subnetLength) {
        if (subnetLength < prefixLength || subnetLength > family().bits()) {
            throw new IllegalArgumentException("subnet length /" + subnetLength + " is outside /" + prefixLength
                    + "../" + family().bits() + " for " + this);
        }
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
