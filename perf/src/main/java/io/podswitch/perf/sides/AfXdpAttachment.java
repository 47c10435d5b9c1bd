package io.podswitch.perf.sides;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.XskUmem;
import io.podswitch.packet.FramePool;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.perf.bench.side.SideUnavailableException;
import io.podswitch.port.afxdp.AfXdpPort;
import io.podswitch.port.afxdp.AfXdpPortConfig;

/**
 * A pod attached by a veth pair: {@code ifName} inside the pod (TX checksum offload off, see
 * {@link EthtoolTxChecksum}), the other end {@code rootName} in the switch's namespace driven by an
 * {@link AfXdpPort} over the switch's shared UMEM. Closing closes the port (detaching its XDP
 * program) and deletes the pair.
 * <pre>
 *   pod netns: ifName ══ veth ══ rootName ──XDP redirect──► AF_XDP socket ──► worker
 * </pre>
 */
record AfXdpAttachment(int netnsFd, String rootName, AfXdpPort port, long switchMac, long podMac)
        implements PodAttachment {

    static AfXdpAttachment open(int id, PodEndpoint pod, String rootName, XskUmem umem, FramePool pool)
            throws SideUnavailableException {
        int fd = Netns.open(pod.netns());
        boolean created = false;
        try (Netlink netlink = Netlink.open()) {
            try {
                netlink.createVethPair(rootName, pod.ifName(), fd);
                created = true;
                netlink.setLinkUp(rootName);
                long podMac = PodInterface.configure(fd, pod, true);
                long rootMac = netlink.link(rootName).mac();
                AfXdpPort port = openPort(id, rootName, umem, pool);
                return new AfXdpAttachment(fd, rootName, port, rootMac, podMac);
            } catch (RuntimeException | SideUnavailableException e) {
                if (created) {
                    deleteQuietly(netlink, rootName, e);
                }
                Libc.close(fd);
                throw e;
            }
        }
    }

    /** An AF_XDP socket the kernel cannot offer at all is "unavailable here", not a failure. */
    private static AfXdpPort openPort(int id, String rootName, XskUmem umem, FramePool pool)
            throws SideUnavailableException {
        try {
            return new AfXdpPort(id, AfXdpPortConfig.of(rootName), umem, pool);
        } catch (NativeException e) {
            if (e.errno() == Errno.EAFNOSUPPORT || e.errno() == Errno.EOPNOTSUPP) {
                throw new SideUnavailableException("AF_XDP is not supported by this kernel: " + e.getMessage());
            }
            throw e;
        }
    }

    private static void deleteQuietly(Netlink netlink, String name, Exception cause) {
        try {
            netlink.deleteLink(name);
        } catch (RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    @Override
    public void close() {
        try {
            port.close();
        } finally {
            try (Netlink netlink = Netlink.open()) {
                netlink.deleteLink(rootName);
            } finally {
                Libc.close(netnsFd);
            }
        }
    }
}
