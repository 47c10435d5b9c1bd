package io.podswitch.nativeio;

/**
 * Ring sizes and modes of an AF_XDP socket. Ring sizes are powers of two; the completion ring should
 * hold every TX descriptor in flight, so it is at least the TX ring.
 */
public record XskSocketOptions(int fillRingSize, int completionRingSize, int rxRingSize, int txRingSize,
        XskBindMode bindMode, boolean needWakeup) {
    public static final int DEFAULT_RING_SIZE = 2048;

    public XskSocketOptions {
        check("fill", fillRingSize);
        check("completion", completionRingSize);
        check("rx", rxRingSize);
        check("tx", txRingSize);
        if (completionRingSize < txRingSize) {
            throw new IllegalArgumentException("completion ring (" + completionRingSize
                    + ") must be at least the TX ring (" + txRingSize + ")");
        }
        if (bindMode == null) {
            throw new IllegalArgumentException("bind mode is required");
        }
    }

    public static XskSocketOptions defaults() {
        return new XskSocketOptions(DEFAULT_RING_SIZE, DEFAULT_RING_SIZE, DEFAULT_RING_SIZE, DEFAULT_RING_SIZE,
                XskBindMode.AUTO, true);
    }

    public XskSocketOptions withBindMode(XskBindMode mode) {
        return new XskSocketOptions(fillRingSize, completionRingSize, rxRingSize, txRingSize, mode, needWakeup);
    }

    public XskSocketOptions withRingSizes(int fill, int completion, int rx, int tx) {
        return new XskSocketOptions(fill, completion, rx, tx, bindMode, needWakeup);
    }

    private static void check(String ring, int size) {
        if (size < 2 || size > (1 << 16) || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(ring + " ring size must be a power of two in [2, 65536]: " + size);
        }
    }
}
