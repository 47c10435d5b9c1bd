package io.podswitch.config.cidr;

/**
 * An IPv6 address; {@code high} holds bits 0..63 (the first four groups), {@code low} bits 64..127,
 * each in network order.
 */
public record Ip6Address(long high, long low) implements IpAddress {

    private static final int GROUPS = 8;

    /**
     * Parses RFC 4291 text: eight hex groups of one to four digits, at most one {@code ::} standing for one
     * or more zero groups, optionally a dotted quad in place of the last two groups. Zone ids are rejected
     * because a configuration address names no interface.
     */
    public static Ip6Address parse(String text) {
        if (text.indexOf('%') >= 0) {
            throw new IpFormatException("'" + text + "' has a zone id ('" + text.substring(text.indexOf('%'))
                    + "'); zone ids are not allowed here");
        }
        int[] groups = new int[GROUPS];
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new IpFormatException("'" + text + "' is not an IPv6 address: '::' may appear only once");
        }
        if (gap < 0) {
            int count = parseGroups(text, text, groups, true);
            if (count != GROUPS) {
                throw new IpFormatException("'" + text + "' is not an IPv6 address: it has " + count
                        + " groups instead of 8 (use '::' for a run of zero groups)");
            }
        } else {
            int[] tail = new int[GROUPS];
            int head = gap == 0 ? 0 : parseGroups(text, text.substring(0, gap), groups, false);
            String rest = text.substring(gap + 2);
            int tailCount = rest.isEmpty() ? 0 : parseGroups(text, rest, tail, true);
            if (head + tailCount > GROUPS - 1) {
                throw new IpFormatException("'" + text + "' is not an IPv6 address: too many groups around '::'");
            }
            System.arraycopy(tail, 0, groups, GROUPS - tailCount, tailCount);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = high << 16 | groups[i];
            low = low << 16 | groups[i + 4];
        }
        return new Ip6Address(high, low);
    }

    /**
     * Parses colon-separated groups into {@code out}; returns how many. A dotted quad counts as two groups
     * and may only end the address, so only a part that ends the text may end in one.
     */
    private static int parseGroups(String text, String part, int[] out, boolean endsText) {
        String[] fields = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (count >= GROUPS) {
                throw new IpFormatException("'" + text + "' is not an IPv6 address: it has more than 8 groups");
            }
            if (field.indexOf('.') >= 0) {
                if (!endsText || i != fields.length - 1 || count > GROUPS - 2) {
                    throw new IpFormatException("'" + text + "' is not an IPv6 address: "
                            + "an embedded IPv4 address may only stand in the last two groups");
                }
                int v4 = Ip4Address.parse(field).value();
                out[count++] = v4 >>> 16;
                out[count++] = v4 & 0xffff;
                continue;
            }
            out[count++] = parseGroup(text, field);
        }
        return count;
    }

    private static int parseGroup(String text, String field) {
        if (field.isEmpty()) {
            throw new IpFormatException("'" + text + "' is not an IPv6 address: it has an empty group "
                    + "(a single ':' at the start or end, or ':::')");
        }
        if (field.length() > 4) {
            throw new IpFormatException("'" + text + "' is not an IPv6 address: group '" + field + "' has more than 4 hex digits");
        }
        int value = 0;
        for (int i = 0; i < field.length(); i++) {
            int digit = Character.digit(field.charAt(i), 16);
            if (digit < 0) {
                throw new IpFormatException("'" + text + "' is not an IP address: '" + field.charAt(i)
                        + "' is not a hex digit");
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /** True for {@code ::ffff:a.b.c.d}, an IPv4 address written in IPv6 form. */
    public boolean isIpv4Mapped() {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    /** The IPv4 address inside an IPv4-mapped address. */
    public Ip4Address embeddedIpv4() {
        if (!isIpv4Mapped()) {
            throw new IllegalStateException(this + " is not an IPv4-mapped address");
        }
        return new Ip4Address((int) low);
    }

    /** Group {@code i} (0..7) as an unsigned 16-bit value. */
    public int group(int i) {
        long word = i < 4 ? high : low;
        return (int) (word >>> (48 - 16 * (i & 3))) & 0xffff;
    }

    @Override
    public IpFamily family() {
        return IpFamily.IPV6;
    }

    /**
     * RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups (the first
     * one on a tie) shortened to {@code ::}; IPv4-mapped addresses end in a dotted quad (section 5).
     */
    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            return "::ffff:" + embeddedIpv4();
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < GROUPS; ) {
            if (group(i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < GROUPS && group(j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < GROUPS; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(group(i)));
        }
        return text.toString();
    }
}
