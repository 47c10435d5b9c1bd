package io.podswitch.config.model;

/** How podswitchd attaches to a node's uplink NIC for traffic between nodes. */
public enum UplinkAttach {
    /**
     * An AF_XDP socket on the NIC with a filtering XDP program: only the overlay's UDP port (and, in direct
     * mode, packets to this node's pod CIDRs) reach the switch; everything else stays with the kernel.
     */
    AF_XDP("af_xdp"),
    /** A kernel UDP socket on the overlay port, for hosts without XDP; the kernel does the L2/L3 underlay. */
    UDP("udp"),
    /**
     * A TAP with UDP tunnel offloads plus tcx programs on it and on the NIC: TCP super-frames cross the
     * overlay whole (Linux 6.17+). In direct mode (no tunnel) it is the same as {@link #UDP}.
     */
    TAP("tap"),
    /**
     * The default: {@link #TAP} where it carries something and the kernel has it — with a tunnel
     * (vxlan/geneve) and a TAP that takes the UDP tunnel offloads (Linux 6.17+) — else {@link #AF_XDP}.
     * Resolved once when podswitchd starts (it probes the kernel); the daemon logs what it chose and why,
     * and {@code podswitch peers} shows it.
     */
    AUTO("auto");

    private final String configName;

    UplinkAttach(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
