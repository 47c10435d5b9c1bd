package io.podswitch.config.validate;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.load.Located;
import io.podswitch.config.load.Problems;
import io.podswitch.config.load.UplinkSpec;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.config.model.UplinkConfig;
import java.util.List;
import java.util.Optional;

/**
 * Rules for an {@code uplink:} block — the cluster-wide default at the top level or a node's override:
 * the interface name and the MTU. Also the defaults a block falls back to and the effective uplink.
 */
final class UplinkRules {

    static final String DEFAULT_INTERFACE = UplinkConfig.DEFAULT.interfaceName();
    static final int DEFAULT_MTU = UplinkConfig.DEFAULT.mtu();
    static final UplinkAttach DEFAULT_ATTACH = UplinkConfig.DEFAULT.attach();
    static final int MIN_MTU_IPV4 = 576;
    static final int MIN_MTU_IPV6 = 1280;
    /** Linux IFNAMSIZ is 16 including the terminating NUL. */
    private static final int MAX_INTERFACE_NAME = 15;

    private final Problems problems;

    UplinkRules(Problems problems) {
        this.problems = problems;
    }

    void check(UplinkSpec uplink, Optional<List<IpFamily>> families) {
        uplink.interfaceName().ifPresent(name -> {
            String value = name.value();
            boolean bad = value.length() > MAX_INTERFACE_NAME || value.equals(".") || value.equals("..")
                    || value.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
            if (bad) {
                problems.report(name, "'" + value + "' is not a valid Linux interface name (at most 15 characters, "
                        + "no '/', ':' or spaces)");
            }
        });
        boolean ipv6 = families.map(f -> f.contains(IpFamily.IPV6)).orElse(false);
        int min = ipv6 ? MIN_MTU_IPV6 : MIN_MTU_IPV4;
        IntRange.check(uplink.mtu(), min, 65535, ipv6 ? " (IPv6 needs an MTU of at least 1280)" : "", problems);
    }

    /** The MTU an uplink block ends up with (its own, else the built-in default). */
    static int mtuOf(UplinkSpec effective) {
        return effective.mtu().map(Located::value).orElse(DEFAULT_MTU);
    }

    /** The uplink an (already merged) block describes, with the built-in defaults for what it leaves out. */
    static UplinkConfig build(UplinkSpec effective) {
        return new UplinkConfig(effective.interfaceName().map(Located::value).orElse(DEFAULT_INTERFACE),
                mtuOf(effective), effective.attach().map(Located::value).orElse(DEFAULT_ATTACH));
    }
}
