package io.podswitch.cni;

import java.util.List;

/**
 * A CNI spec version this plugin speaks. The result format differs by version: 0.3.x/0.4.0 carry a
 * {@code version} member per IP, 1.0.0 dropped it, 1.1.0 added interface/route attributes (mtu,
 * socketPath, pciID, route mtu/advmss/priority/table/scope) and the STATUS and GC commands.
 */
public enum CniVersion {
    V0_3_0("0.3.0"),
    V0_3_1("0.3.1"),
    V0_4_0("0.4.0"),
    V1_0_0("1.0.0"),
    V1_1_0("1.1.0");

    /** What VERSION reports, oldest first (the order the reference plugins use). */
    public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    public static final CniVersion LATEST = V1_1_0;

    private final String text;

    CniVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The supported version spelled {@code text}, or null. */
    public static CniVersion parse(String text) {
        for (CniVersion v : values()) {
            if (v.text.equals(text)) {
                return v;
            }
        }
        return null;
    }

    /** Results of this version carry {@code ips[].version} ("4"/"6"). */
    public boolean ipsCarryVersion() {
        return compareTo(V1_0_0) < 0;
    }

    /** Results of this version may carry the 1.1.0 interface and route attributes. */
    public boolean hasExtendedAttributes() {
        return this == V1_1_0;
    }
}
