package io.podswitch.perf.sides;

import io.podswitch.port.Port;

/**
 * One pod attached to the switch: the port podswitch polls and sends on, the MAC the switch uses on
 * it (the pod's gateway MAC) and the pod's own MAC. Closing removes what the attachment created.
 */
sealed interface PodAttachment extends AutoCloseable permits TapAttachment, AfXdpAttachment {

    Port port();

    /** The switch's MAC on this port: what the pod resolves its gateway to. */
    long switchMac();

    /** The pod interface's MAC: the destination of frames routed to the pod. */
    long podMac();

    @Override
    void close();
}
