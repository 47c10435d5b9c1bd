package io.podswitch.config.cidr;

/**
 * An IPv4 or IPv6 address as a plain value: {@link Ip4Address} holds an {@code int},
 * {@link Ip6Address} two {@code long}s, so the switch can copy them into its tables without parsing again.
 */
public sealed interface IpAddress permits Ip4Address, Ip6Address {

    IpFamily family();

    /** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6. */
    @Override
    String toString();

    /**
     * Parses an address literal. IPv4 must be four decimal numbers without leading zeros; IPv6 follows
     * RFC 4291 (with {@code ::} and a trailing dotted quad); zone ids ({@code %eth0}) are rejected.
     */
    static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IpFormatException("an empty string is not an IP address");
        }
        return text.indexOf(':') >= 0 ? Ip6Address.parse(text) : Ip4Address.parse(text);
    }
}
