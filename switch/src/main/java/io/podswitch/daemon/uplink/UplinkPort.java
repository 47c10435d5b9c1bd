package io.podswitch.daemon.uplink;

import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.graph.Interface;
import java.util.List;

/**
 * The uplink's switch side: an {@link Interface} built with {@code uplink(true)} (tunnel frames to one of
 * the node's addresses are decapsulated), the NIC's MAC, the node's addresses and the NIC's MTU, polled by
 * one worker. No switch route points at the node's own addresses: traffic for the node goes to the host
 * TAP by the default route, so the kernel keeps answering for them.
 */
public final class UplinkPort implements AutoCloseable {
    private final SwitchEngine engine;
    private final UplinkAttachment attachment;
    private final int worker;

    private UplinkPort(SwitchEngine engine, UplinkAttachment attachment, int worker) {
        this.engine = engine;
        this.attachment = attachment;
        this.worker = worker;
    }

    /** Publishes the interface and hands the port to a worker; on failure the attachment is closed. */
    public static UplinkPort attach(SwitchEngine engine, UplinkAttachment attachment, List<IpAddress> nodeAddresses) {
        try {
            Interface.Builder iface = Interface.builder(attachment.port(), attachment.mac())
                    .mtu(attachment.mtu()).uplink(true);
            for (IpAddress address : nodeAddresses) {
                switch (address) {
                    case Ip4Address a -> iface.ip4(a.value());
                    case Ip6Address a -> iface.ip6(a.high(), a.low());
                }
            }
            int worker = engine.attachPort(iface.build());
            return new UplinkPort(engine, attachment, worker);
        } catch (RuntimeException e) {
            attachment.close();
            engine.releasePortId(attachment.port().id());
            throw e;
        }
    }

    public UplinkAttachment attachment() {
        return attachment;
    }

    public int portId() {
        return attachment.port().id();
    }

    /** Takes the port out of the data path, detaches from the NIC, frees the port id. */
    @Override
    public void close() {
        engine.detachPort(attachment.port(), worker);
        attachment.close();
        engine.releasePortId(attachment.port().id());
    }
}
