package io.podswitch.port;

/** Why a port dropped a packet; each reason is its own counter. */
public enum PortDropReason {
    /** The transmit ring or kernel queue was full. */
    TX_FULL,
    /** The frame was longer than the port (or a frame) can carry. */
    OVERSIZE,
    /** The frame was shorter than an Ethernet header or otherwise unreadable. */
    MALFORMED,
    /** No free frame was available to receive into. */
    NO_FRAME,
    /** The link or queue is not up. */
    LINK_DOWN,
    /** The kernel returned an error for the I/O call. */
    IO_ERROR
}
