package io.podswitch.config.cidr;

import java.util.Optional;

/** An IP address family, spelled in configuration files exactly as Kubernetes spells it: {@code IPv4}, {@code IPv6}. */
public enum IpFamily {
    IPV4("IPv4", 32),
    IPV6("IPv6", 128);

    private final String displayName;
    private final int bits;

    IpFamily(String displayName, int bits) {
        this.displayName = displayName;
        this.bits = bits;
    }

    /** The name used in configuration files and messages: {@code IPv4} or {@code IPv6}. */
    public String displayName() {
        return displayName;
    }

    /** Address width in bits: 32 or 128. */
    public int bits() {
        return bits;
    }

    /** Looks a family up by its exact configuration name. */
    public static Optional<IpFamily> fromName(String name) {
        for (IpFamily family : values()) {
            if (family.displayName.equals(name)) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return displayName;
    }
}
