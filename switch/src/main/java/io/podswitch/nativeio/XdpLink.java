package io.podswitch.nativeio;

import io.podswitch.nativeio.bpf.BpfProgram;

/**
 * An XDP program attached to an interface through a BPF link. The link's file descriptor is the
 * only thing keeping the program attached: {@link #close} — or the death of the process, even by
 * SIGKILL — detaches it.
 */
public final class XdpLink implements AutoCloseable {
    private final String interfaceName;
    private final int programFd;
    private final int linkFd;
    private final XdpAttachMode mode;
    private boolean closed;

    private XdpLink(String interfaceName, int programFd, int linkFd, XdpAttachMode mode) {
        this.interfaceName = interfaceName;
        this.programFd = programFd;
        this.linkFd = linkFd;
        this.mode = mode;
    }

    /**
     * Loads {@code program} and attaches it to {@code interfaceName}. In {@link XdpAttachMode#AUTO}
     * driver mode is tried first and generic mode after a refusal; the mode that worked is
     * reported by {@link #mode()}.
     */
    public static XdpLink attach(String interfaceName, BpfProgram program, XdpAttachMode mode) {
        int ifindex = XskSocket.interfaceIndex(interfaceName);
        int programFd = Bpf.loadXdpProgram(program);
        try {
            return switch (mode) {
                case DRIVER -> new XdpLink(interfaceName, programFd,
                        Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_DRV_MODE, interfaceName), XdpAttachMode.DRIVER);
                case GENERIC -> new XdpLink(interfaceName, programFd,
                        Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_SKB_MODE, interfaceName), XdpAttachMode.GENERIC);
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
                    Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_DRV_MODE, interfaceName), XdpAttachMode.DRIVER);
        } catch (NativeException driverRefused) {
            if (driverRefused.errno() == Errno.EBUSY || driverRefused.errno() == Errno.EEXIST) {
                throw driverRefused; // something else is attached; generic mode would not help
            }
            return new XdpLink(interfaceName, programFd,
                    Bpf.createXdpLink(programFd, ifindex, Bpf.XDP_FLAGS_SKB_MODE, interfaceName), XdpAttachMode.GENERIC);
        }
    }

    /** The mode the program actually runs in (never {@link XdpAttachMode#AUTO}). */
    public XdpAttachMode mode() {
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
