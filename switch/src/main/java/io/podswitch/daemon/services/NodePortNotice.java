package io.podswitch.daemon.services;

import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.uplink.UplinkFilter;

/**
 * Tells the operator, once per daemon, that node ports are configured but cannot be served: with
 * {@code uplink.attach: udp} (and {@code tap} in direct mode, which routes like it) the switch sees only the
 * tunnel's datagrams (kernel UDP sockets), so a packet from outside to a node port reaches the node's
 * kernel, never the switch's service stage. {@code af_xdp} and {@code tap} with a tunnel steer node ports
 * to the switch ({@link UplinkFilter#servesNodePorts}).
 * (ClusterIP services work: pods' and the node's traffic enters the switch through its TAPs.)
 * Control thread only.
 */
public final class NodePortNotice {
    private boolean logged;

    /**
     * Logs once when {@code config} has node ports and this node's uplink cannot steer them to the switch.
     *
     * @param attach how the uplink is attached ({@code auto} as the daemon resolved it)
     * @return true when this call logged the notice
     */
    public boolean check(ClusterConfig config, UplinkAttach attach) {
        if (logged || config.nodes().size() < 2
                || UplinkFilter.servesNodePorts(attach, !config.overlay().mode().encapsulates())) {
            return false;
        }
        boolean nodePorts = config.services().stream().anyMatch(s -> s.ports().stream().anyMatch(p -> p.hasNodePort()));
        if (nodePorts) {
            logged = true;
            DaemonLog.info("node ports are configured but not served on node " + config.thisNodeName()
                    + ": uplink " + config.thisNode().uplink().interfaceName() + " has attach: "
                    + attach.configName() + ", so traffic to "
                    + "the node's addresses never enters the switch (use attach: af_xdp, or tap with a tunnel, for NodePort)");
        }
        return nodePorts;
    }
}
