package io.podswitch.config.model;

/** The NIC a node reaches other nodes through: its Linux interface name, its MTU and how podswitchd attaches to it. */
public record UplinkConfig(String interfaceName, int mtu, UplinkAttach attach) {

    /**
     * What a node uses when the file says nothing: {@code eth0}, MTU 1500, {@code auto} — the fastest
     * attachment this node's kernel has ({@link UplinkAttach#AUTO}).
     */
    public static final UplinkConfig DEFAULT = new UplinkConfig("eth0", 1500, UplinkAttach.AUTO);

    /** An uplink attached the default way ({@link UplinkAttach#AUTO}). */
    public UplinkConfig(String interfaceName, int mtu) {
        this(interfaceName, mtu, UplinkAttach.AUTO);
    }
}
