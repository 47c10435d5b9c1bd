package io.podswitch.config.model;

/** How pod traffic crosses between nodes. */
public enum OverlayMode {
    /** VXLAN (RFC 7348) over UDP, default port 4789. */
    VXLAN("vxlan", 4789),
    /** Geneve (RFC 8926) over UDP, default port 6081. */
    GENEVE("geneve", 6081),
    /** No encapsulation: pod packets are routed to the node that owns the destination pod CIDR. */
    DIRECT("direct", 0);

    private final String configName;
    private final int defaultUdpPort;

    OverlayMode(String configName, int defaultUdpPort) {
        this.configName = configName;
        this.defaultUdpPort = defaultUdpPort;
    }

    public String configName() {
        return configName;
    }

    /** The IANA port for the tunnel protocol; 0 for {@link #DIRECT}, which has none. */
    public int defaultUdpPort() {
        return defaultUdpPort;
    }

    public boolean encapsulates() {
        return this != DIRECT;
    }
}
