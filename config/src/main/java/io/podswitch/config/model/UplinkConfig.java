package io.podswitch.config.model;

/** The NIC a node reaches other nodes through: its Linux interface name and its MTU. */
public record UplinkConfig(String interfaceName, int mtu) {
}
