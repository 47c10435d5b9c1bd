package io.podswitch.nativeio;

/** How an AF_XDP socket moves packets between the driver and the UMEM. */
public enum XskBindMode {
    /** Zero-copy where the driver supports it, else copy: the kernel's own fallback (no flag). */
    AUTO(0),
    /** Always copy (works on every driver, e.g. veth). */
    COPY(XskSocket.XDP_COPY),
    /** Zero-copy or fail: for drivers known to support it. */
    ZEROCOPY(XskSocket.XDP_ZEROCOPY);

    private final int flags;

    XskBindMode(int flags) {
        this.flags = flags;
    }

    int flags() {
        return flags;
    }
}
