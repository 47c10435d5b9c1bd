package io.podswitch.cni;

/**
 * Syntax checks for addresses the runtime hands us. Deliberately not {@code InetAddress}: that class
 * resolves anything that is not a literal through DNS, and the plugin must never block on a resolver.
 */
public final class AddressSyntax {
    private AddressSyntax() {
    }

    /** An IPv4 or IPv6 literal, optionally with a prefix length ({@code 10.1.2.3}, {@code fd00::5/64}). */
    public static boolean isIpOrCidr(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        int maxPrefix;
        if (isIpv4(address)) {
            maxPrefix = 32;
        } else if (isIpv6(address)) {
            maxPrefix = 128;
        } else {
            return false;
        }
        return slash < 0 || isDecimal(s.substring(slash + 1), 0, maxPrefix);
    }

    public static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!isDecimal(p, 0, 255)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form: eight groups, one "::" at most, optionally a trailing dotted IPv4. No zone ids. */
    public static boolean isIpv6(String s) {
        if (s.length() < 2 || s.indexOf(':') < 0) {
            return false;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] groups;
        int groupCount = 0;
        if (doubleColon >= 0) {
            String head = s.substring(0, doubleColon);
            String tail = s.substring(doubleColon + 2);
            int h = countGroups(head, false);
            int t = countGroups(tail, true);
            if (h < 0 || t < 0) {
                return false;
            }
            return h + t <= 7;
        }
        groups = s.split(":", -1);
        for (int i = 0; i < groups.length; i++) {
            boolean last = i == groups.length - 1;
            if (last && groups[i].indexOf('.') >= 0) {
                if (!isIpv4(groups[i])) {
                    return false;
                }
                groupCount += 2;
            } else if (isHexGroup(groups[i])) {
                groupCount++;
            } else {
                return false;
            }
        }
        return groupCount == 8;
    }

    /** Groups in one side of "::"; -1 when malformed. The tail may end in a dotted IPv4 (two groups). */
    private static int countGroups(String side, boolean mayEndInIpv4) {
        if (side.isEmpty()) {
            return 0;
        }
        String[] groups = side.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            boolean last = i == groups.length - 1;
            if (mayEndInIpv4 && last && groups[i].indexOf('.') >= 0) {
                if (!isIpv4(groups[i])) {
                    return -1;
                }
                count += 2;
            } else if (isHexGroup(groups[i])) {
                count++;
            } else {
                return -1;
            }
        }
        return count;
    }

    private static boolean isHexGroup(String g) {
        if (g.isEmpty() || g.length() > 4) {
            return false;
        }
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** A decimal without sign or leading zeros, within [min, max]. */
    private static boolean isDecimal(String s, int min, int max) {
        if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + (c - '0');
        }
        return v >= min && v <= max;
    }

    /** Six hex octets separated by ':' with the multicast bit clear (a pod's own MAC must be unicast). */
    public static boolean isUnicastMac(String s) {
        if (s == null || s.length() != 17) {
            return false;
        }
        for (int i = 0; i < 17; i++) {
            char c = s.charAt(i);
            if (i % 3 == 2) {
                if (c != ':') {
                    return false;
                }
            } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return (Character.digit(s.charAt(1), 16) & 1) == 0;
    }
}
