package io.podswitch.config.model;

/** Transport protocol of a service port, with its IP protocol number. */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int ipProtocolNumber;

    Protocol(int ipProtocolNumber) {
        this.ipProtocolNumber = ipProtocolNumber;
    }

    public int ipProtocolNumber() {
        return ipProtocolNumber;
    }
}
