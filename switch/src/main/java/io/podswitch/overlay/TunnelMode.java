package io.podswitch.overlay;

/** The two encapsulations the overlay speaks, with their IANA-assigned UDP destination ports. */
public enum TunnelMode {
    /** RFC 7348. */
    VXLAN(4789),
    /** RFC 8926. */
    GENEVE(6081);

    private final int defaultPort;

    TunnelMode(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }
}
