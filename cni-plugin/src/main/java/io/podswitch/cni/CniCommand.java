package io.podswitch.cni;

/** The values of {@code CNI_COMMAND}, with the spec version that introduced each. */
public enum CniCommand {
    ADD(CniVersion.V0_3_0),
    DEL(CniVersion.V0_3_0),
    CHECK(CniVersion.V0_4_0),
    STATUS(CniVersion.V1_1_0),
    GC(CniVersion.V1_1_0),
    VERSION(CniVersion.V0_3_0);

    private final CniVersion since;

    CniCommand(CniVersion since) {
        this.since = since;
    }

    /** True when a network config of {@code version} may be used with this command. */
    public boolean allowedIn(CniVersion version) {
        return version.compareTo(since) >= 0;
    }

    public CniVersion since() {
        return since;
    }

    /** The command named {@code text}, or null when it is not one (case-sensitive, as runtimes send it). */
    public static CniCommand parse(String text) {
        if (text == null) {
            return null;
        }
        for (CniCommand c : values()) {
            if (c.name().equals(text)) {
                return c;
            }
        }
        return null;
    }
}
