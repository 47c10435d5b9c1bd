package io.podswitch.config.model;

/** The NIC a node reaches other nodes through: its Linux interface name, its MTU and how podswitchd attaches to it. */
public record UplinkConfig(String interfaceName, int mtu, UplinkAttach attach) {

    /** An uplink attached the default way ({@link UplinkAttach#AF_XDP}). */
    public UplinkConfig(String interfaceName, int mtu) {
        this(interfaceName, mtu, UplinkAttach.AF_XDP);
    }
}
