package io.podswitch.config.cidr;

/** Text that is not a valid IP address or CIDR; the message is a plain sentence naming the input and the problem. */
public final class IpFormatException extends IllegalArgumentException {
    public IpFormatException(String message) {
        super(message);
    }
}
