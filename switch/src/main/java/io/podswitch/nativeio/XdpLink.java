package io.podswitch.nativeio;

import io.podswitch.nativeio.bpf.BpfProgram;

/**
 * An XDP program attached to an interface through a BPF link. The link's file descriptor is the
 * only thing keeping the program attached: {@link #close} — or the death of the process, even by
 * SIGKILL — detaches it.
 */
public final class XdpLink implements AutoCloseable {
    /** Where in the receive path the XDP program runs. */
    public enum Mode {
        /** In the driver (veth and most NIC drivers); fastest. */
        DRIVER,
        /** On socket buffers after the driver (generic XDP): works everywhere, costs an skb per packet. */
        GENERIC,
        /** Driver mode, falling back to generic when the driver refuses. */
        AUTO
    }

    private final String interfaceName;
    private final int programFd;
    private final int linkFd;
    private final Mode mode;
    private boolean closed;

    private XdpLink(String interfaceName, int programFd, int linkFd, Mode mode) {
        this.interfaceName = interfaceName;
        this.programFd = programFd;
        this.linkFd = linkFd;
        this.mode = mode;
    }

    /**
     * Loads {@code program} and attaches it to {@code interfaceName}. In {@link Mode#AUTO}
     * driver mode is tried first and generic mode after a refusal; the mode that worked is
     * reported by {@link #mode()}.
     */
    public static XdpLink attach(String interfaceName, BpfProgram program, Mode mode) {
        int ifindex = XskSocket.interfaceIndex(interfaceName);
        int programFd = Bpf.loadXdpProgram(program);
        try {
            return switch (mode) {
                case DRIVER -> new XdpLink(interfaceName, programFd,
                        Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_DRV_MODE, interfaceName), Mode.DRIVER);
                case GENERIC -> new XdpLink(interfaceName, programFd,
                        Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_SKB_MODE, interfaceName), Mode.GENERIC);
                case AUTO -> attachAuto(interfaceName, ifindex, programFd);
            };
        } catch (RuntimeException e) {
            Bpf.close(programFd);
            throw e;
        }
    }

    private static XdpLink attachAuto(String interfaceName, int ifindex, int programFd) {
        try {
            return new XdpLink(interfaceName, programFd,
                    Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_DRV_MODE, interfaceName), Mode.DRIVER);
        } catch (NativeException driverRefused) {
            if (driverRefused.errno() == Errno.EBUSY || driverRefused.errno() == Errno.EEXIST) {
                throw driverRefused; // something else is attached; generic mode would not help
            }
            return new XdpLink(interfaceName, programFd,
                    Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_SKB_MODE, interfaceName), Mode.GENERIC);
        }
    }

    /** The mode the program actually runs in (never {@link Mode#AUTO}). */
    public Mode mode() {
        return mode;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** Detaches the program (closes the link) and releases the program. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Bpf.close(linkFd);
        Bpf.close(programFd);
    }
}
