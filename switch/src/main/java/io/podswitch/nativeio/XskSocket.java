package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * An AF_XDP socket bound to one queue of one interface, with its four rings mapped:
 * <pre>
 *            fill ring  ──(empty frames)──►  kernel  ──(received packets)──►  RX ring
 *   switch                                                                            switch
 *            TX ring    ──(packets to send)─► kernel ──(sent frames back)──►  completion ring
 * </pre>
 * Setup order (the kernel's): socket, UMEM registration (first socket only), ring sizes, mmap
 * offsets, mmap, bind. The data-path methods ({@link #kickTransmit}, {@link #wakeReceive}) never
 * throw and never allocate: they return the errno, which the caller counts.
 */
public final class XskSocket implements AutoCloseable {
    /** What a raw call returns when the downcall itself threw (never a system call result). */
    private static final long RAW_FAILED = Long.MIN_VALUE;

    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;
    static final int XDP_OPTIONS_ZEROCOPY = 1;

    static final int XDP_SHARED_UMEM = 1;
    static final int XDP_COPY = 1 << 1;
    static final int XDP_ZEROCOPY = 1 << 2;
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    private static final int BIND_BUSY_RETRIES = 50;
    private static final long BIND_BUSY_WAIT_MS = 20;

    static final long XDP_PGOFF_RX_RING = 0;
    static final long XDP_PGOFF_TX_RING = 0x80000000L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    private final XskUmem umem;
    private final String object;
    private final int fd;
    private final int queue;
    private final boolean zeroCopy;
    private final boolean needWakeup;
    private final XskProducerRing fill;
    private final XskConsumerRing completion;
    private final XskConsumerRing rx;
    private final XskProducerRing tx;
    /**
     * Errno capture for the data-path calls where {@link RawSyscall} is unavailable; shared arena as the
     * socket may be opened by another thread.
     */
    private final Arena dataPathArena;
    private final MemorySegment dataPathErrno;
    private boolean closed;

    private XskSocket(XskUmem umem, String object, int fd, int queue, boolean zeroCopy, boolean needWakeup,
            XskProducerRing fill, XskConsumerRing completion, XskConsumerRing rx, XskProducerRing tx) {
        this.umem = umem;
        this.object = object;
        this.fd = fd;
        this.queue = queue;
        this.zeroCopy = zeroCopy;
        this.needWakeup = needWakeup;
        this.fill = fill;
        this.completion = completion;
        this.rx = rx;
        this.tx = tx;
        this.dataPathArena = Arena.ofShared();
        this.dataPathErrno = Native.errnoSegment(dataPathArena);
    }

    /**
     * Opens a socket on {@code interfaceName} queue {@code queue} over {@code umem}; registers the
     * UMEM if no socket over it is bound yet, else shares it.
     */
    public static XskSocket open(XskUmem umem, String interfaceName, int queue, XskSocketOptions options) {
        String object = interfaceName + " queue " + queue;
        int ifindex = interfaceIndex(interfaceName);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int fd = (int) XskLibc.SOCKET.invokeExact(errno, XskLibc.AF_XDP, XskLibc.SOCK_RAW | XskLibc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw NativeException.of("socket(AF_XDP)", object, Native.errno(errno));
            }
            MemorySegment[] maps = new MemorySegment[4];
            try {
                XskSocket share = umem.shareFrom();
                if (share == null) {
                    registerUmem(arena, fd, umem, object);
                }
                setInt(arena, fd, XDP_UMEM_FILL_RING, options.fillRingSize(), "XDP_UMEM_FILL_RING", object);
                setInt(arena, fd, XDP_UMEM_COMPLETION_RING, options.completionRingSize(), "XDP_UMEM_COMPLETION_RING", object);
                setInt(arena, fd, XDP_RX_RING, options.rxRingSize(), "XDP_RX_RING", object);
                setInt(arena, fd, XDP_TX_RING, options.txRingSize(), "XDP_TX_RING", object);

                MemorySegment off = arena.allocate(XskLayouts.XDP_MMAP_OFFSETS);
                getOption(arena, fd, XDP_MMAP_OFFSETS, off, "XDP_MMAP_OFFSETS", object);
                maps[0] = map(arena, fd, off, "fr", options.fillRingSize(), XskLayouts.ADDR_SIZE, XDP_UMEM_PGOFF_FILL_RING, object);
                maps[1] = map(arena, fd, off, "cr", options.completionRingSize(), XskLayouts.ADDR_SIZE, XDP_UMEM_PGOFF_COMPLETION_RING, object);
                maps[2] = map(arena, fd, off, "rx", options.rxRingSize(), XskLayouts.DESC_SIZE, XDP_PGOFF_RX_RING, object);
                maps[3] = map(arena, fd, off, "tx", options.txRingSize(), XskLayouts.DESC_SIZE, XDP_PGOFF_TX_RING, object);

                // A socket sharing the UMEM may pass no other flag: it inherits copy/zero-copy and
                // need-wakeup from the socket that registered the UMEM.
                int flags = share != null ? XDP_SHARED_UMEM
                        : options.bindMode().flags() | (options.needWakeup() ? XDP_USE_NEED_WAKEUP : 0);
                MemorySegment sa = arena.allocate(XskLayouts.SOCKADDR_XDP);
                sa.set(JAVA_SHORT, XskLayouts.offset(XskLayouts.SOCKADDR_XDP, "sxdp_family"), (short) XskLibc.AF_XDP);
                sa.set(JAVA_SHORT, XskLayouts.offset(XskLayouts.SOCKADDR_XDP, "sxdp_flags"), (short) flags);
                sa.set(JAVA_INT, XskLayouts.offset(XskLayouts.SOCKADDR_XDP, "sxdp_ifindex"), ifindex);
                sa.set(JAVA_INT, XskLayouts.offset(XskLayouts.SOCKADDR_XDP, "sxdp_queue_id"), queue);
                sa.set(JAVA_INT, XskLayouts.offset(XskLayouts.SOCKADDR_XDP, "sxdp_shared_umem_fd"), share == null ? 0 : share.fd);
                int rc = (int) XskLibc.BIND.invokeExact(errno, fd, sa, (int) sa.byteSize());
                // A socket closed a moment ago on the same queue releases it from a kernel work
                // queue, so a quick reopen can meet EBUSY for a few milliseconds: wait it out.
                for (int retry = 0; rc < 0 && Native.errno(errno) == Errno.EBUSY && retry < BIND_BUSY_RETRIES; retry++) {
                    Thread.sleep(BIND_BUSY_WAIT_MS);
                    rc = (int) XskLibc.BIND.invokeExact(errno, fd, sa, (int) sa.byteSize());
                }
                if (rc < 0) {
                    int err = Native.errno(errno);
                    String hint = err == Errno.EOPNOTSUPP || err == Errno.EINVAL
                            ? "bind mode " + options.bindMode() + " not supported by the driver or queue " + queue + " does not exist"
                            : Errno.hint(err);
                    throw new NativeException("bind(AF_XDP)", object, err, hint);
                }
                MemorySegment opts = arena.allocate(JAVA_INT);
                getOption(arena, fd, XDP_OPTIONS, opts, "XDP_OPTIONS", object);
                boolean zeroCopy = (opts.get(JAVA_INT, 0) & XDP_OPTIONS_ZEROCOPY) != 0;

                boolean needWakeup = share != null ? share.needWakeup : options.needWakeup();
                XskSocket socket = new XskSocket(umem, object, fd, queue, zeroCopy, needWakeup,
                        producer("fill " + object, maps[0], off, "fr", options.fillRingSize(), XskLayouts.ADDR_SIZE),
                        consumer("completion " + object, maps[1], off, "cr", options.completionRingSize(), XskLayouts.ADDR_SIZE),
                        consumer("rx " + object, maps[2], off, "rx", options.rxRingSize(), XskLayouts.DESC_SIZE),
                        producer("tx " + object, maps[3], off, "tx", options.txRingSize(), XskLayouts.DESC_SIZE));
                umem.bound(socket);
                return socket;
            } catch (Throwable e) {
                for (MemorySegment m : maps) {
                    unmap(m);
                }
                closeFd(fd);
                throw e;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding AF_XDP socket on " + object, e);
        } catch (Throwable t) {
            throw new IllegalStateException("AF_XDP socket setup on " + object, t);
        }
    }

    /** The interface index of a name in the caller's network namespace. */
    public static int interfaceIndex(String interfaceName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int index = (int) XskLibc.IF_NAMETOINDEX.invokeExact(errno, arena.allocateFrom(interfaceName));
            if (index == 0) {
                throw NativeException.of("if_nametoindex", interfaceName, Native.errno(errno));
            }
            return index;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("if_nametoindex(" + interfaceName + ")", t);
        }
    }

    /**
     * The interface's MTU: SIOCGIFMTU, asked through a short-lived UDP socket (AF_XDP sockets take
     * no ioctls).
     */
    public static int interfaceMtu(String interfaceName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSegment(arena);
            int udp = (int) XskLibc.SOCKET.invokeExact(errno, XskLibc.AF_INET, XskLibc.SOCK_DGRAM | XskLibc.SOCK_CLOEXEC, 0);
            if (udp < 0) {
                throw NativeException.of("socket(AF_INET)", interfaceName, Native.errno(errno));
            }
            try {
                MemorySegment ifreq = arena.allocate(XskLibc.IFREQ_SIZE, 8);
                byte[] name = interfaceName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                MemorySegment.copy(name, 0, ifreq, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, Math.min(name.length, 15));
                int rc = (int) XskLibc.IOCTL.invokeExact(errno, udp, (long) XskLibc.SIOCGIFMTU, ifreq);
                if (rc < 0) {
                    throw NativeException.of("SIOCGIFMTU", interfaceName, Native.errno(errno));
                }
                return ifreq.get(JAVA_INT, XskLibc.IFREQ_SIZE - 24);
            } finally {
                closeFd(udp);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("SIOCGIFMTU(" + interfaceName + ")", t);
        }
    }

    public int fd() {
        return fd;
    }

    public int queue() {
        return queue;
    }

    public XskUmem umem() {
        return umem;
    }

    /** True when the driver runs this socket in zero-copy mode (frames DMA'd straight into the UMEM). */
    public boolean zeroCopy() {
        return zeroCopy;
    }

    public XskProducerRing fillRing() {
        return fill;
    }

    public XskConsumerRing completionRing() {
        return completion;
    }

    public XskConsumerRing rxRing() {
        return rx;
    }

    public XskProducerRing txRing() {
        return tx;
    }

    /*
     * The two kicks are system calls the forwarding loop makes per burst. Where RawSyscall works (x86-64)
     * they are made without libc: the kernel's result, -errno included, comes back in the return value and
     * only scalars cross, so nothing can allocate whatever C2 inlines (with errno capture, FFM's capture
     * check allocates a segment slice per call whenever C2 does not inline it: 1.1-1.5 MB per 120,000
     * packets in AfXdpZeroAllocationTest under the zero-allocation-worst-jit flags, docs/nativeio.md).
     * Both are critical calls: MSG_DONTWAIT, they return at once. Elsewhere libc with errno capture, each
     * method kept under C2's MaxInlineSize (35 bytes of bytecode) so it is inlined however cold the site.
     */

    /**
     * Asks the kernel to send what is on the TX ring: {@code sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0)}.
     * Skipped when the socket uses need-wakeup and the kernel has not asked for it.
     * @return 0, or the errno (EAGAIN/EBUSY/ENOBUFS mean "try again on the next burst")
     */
    public int kickTransmit() {
        return needWakeup && !tx.needsWakeup() ? 0 : kick();
    }

    private int kick() {
        long rc = sendto();
        return rc >= 0 ? 0 : (int) -rc;
    }

    private long sendto() {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_SENDTO, fd, 0, 0, XskLibc.MSG_DONTWAIT, 0)
                : libcSendto(dataPathErrno, fd);
    }

    /**
     * Wakes the driver to receive when it asked for it through the fill ring's need-wakeup flag:
     * {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL)}.
     * @return 0, or the errno
     */
    public int wakeReceive() {
        return !needWakeup || !fill.needsWakeup() ? 0 : wake();
    }

    private int wake() {
        long rc = recvfrom();
        return rc >= 0 ? 0 : (int) -rc;
    }

    private long recvfrom() {
        return RawSyscall.AVAILABLE ? RawSyscall.call(RawSyscall.SYS_RECVFROM, fd, 0, 0, XskLibc.MSG_DONTWAIT, 0)
                : libcRecvfrom(dataPathErrno, fd);
    }

    /** The libc result as the kernel's: -errno on failure, -EIO when the downcall itself threw. */
    private static long minusErrno(long rc, MemorySegment errno) {
        return rc >= 0 ? rc : rc == RAW_FAILED ? -Errno.EIO : -Native.errno(errno);
    }

    private static long libcSendto(MemorySegment errno, int fd) {
        return minusErrno(rawSendto(errno, fd), errno);
    }

    private static long libcRecvfrom(MemorySegment errno, int fd) {
        return minusErrno(rawRecvfrom(errno, fd), errno);
    }

    private static long rawSendto(MemorySegment errno, int fd) {
        try {
            return (long) XskLibc.SENDTO.invokeExact(errno, fd, MemorySegment.NULL, 0L, XskLibc.MSG_DONTWAIT,
                    MemorySegment.NULL, 0);
        } catch (Throwable t) {
            return RAW_FAILED;
        }
    }

    private static long rawRecvfrom(MemorySegment errno, int fd) {
        try {
            return (long) XskLibc.RECVFROM.invokeExact(errno, fd, MemorySegment.NULL, 0L, XskLibc.MSG_DONTWAIT,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            return RAW_FAILED;
        }
    }

    /** The kernel's drop counters for this socket (XDP_STATISTICS), in {@link XskLayouts#XDP_STATISTICS} order. */
    public long[] statistics() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stats = arena.allocate(XskLayouts.XDP_STATISTICS);
            getOption(arena, fd, XDP_STATISTICS, stats, "XDP_STATISTICS", object);
            return stats.toArray(JAVA_LONG);
        }
    }

    /** Unmaps the rings and closes the socket; the kernel then owns none of our frames any more. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        umem.closed(this);
        unmap(fill.mapping());
        unmap(completion.mapping());
        unmap(rx.mapping());
        unmap(tx.mapping());
        closeFd(fd);
        dataPathArena.close();
    }

    @Override
    public String toString() {
        return "XskSocket[" + object + ", fd " + fd + (zeroCopy ? ", zero-copy" : ", copy") + "]";
    }

    private static void registerUmem(Arena arena, int fd, XskUmem umem, String object) throws Throwable {
        StructLayout l = XskLayouts.XDP_UMEM_REG;
        MemorySegment reg = arena.allocate(l);
        reg.set(JAVA_LONG, XskLayouts.offset(l, "addr"), umem.memory().address());
        reg.set(JAVA_LONG, XskLayouts.offset(l, "len"), umem.memory().byteSize());
        reg.set(JAVA_INT, XskLayouts.offset(l, "chunk_size"), umem.chunkSize());
        reg.set(JAVA_INT, XskLayouts.offset(l, "headroom"), umem.headroom());
        MemorySegment errno = Native.errnoSegment(arena);
        int rc = (int) XskLibc.SETSOCKOPT.invokeExact(errno, fd, XskLibc.SOL_XDP, XDP_UMEM_REG, reg, (int) reg.byteSize());
        if (rc < 0) {
            int err = Native.errno(errno);
            String hint = err == Errno.ENOMEM || err == Errno.EPERM || err == Errno.ENOBUFS
                    ? XskMemlock.describe(umem.memory().byteSize())
                    : Errno.hint(err);
            throw new NativeException("XDP_UMEM_REG", object, err, hint);
        }
    }

    private static void setInt(Arena arena, int fd, int option, int value, String name, String object) throws Throwable {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        MemorySegment errno = Native.errnoSegment(arena);
        int rc = (int) XskLibc.SETSOCKOPT.invokeExact(errno, fd, XskLibc.SOL_XDP, option, v, 4);
        if (rc < 0) {
            throw new NativeException(name + "=" + value, object, Native.errno(errno), "ring sizes must be powers of two");
        }
    }

    private static void getOption(Arena arena, int fd, int option, MemorySegment into, String name, String object) {
        MemorySegment len = arena.allocate(JAVA_INT);
        len.set(JAVA_INT, 0, (int) into.byteSize());
        MemorySegment errno = Native.errnoSegment(arena);
        int rc;
        try {
            rc = (int) XskLibc.GETSOCKOPT.invokeExact(errno, fd, XskLibc.SOL_XDP, option, into, len);
        } catch (Throwable t) {
            throw new IllegalStateException("getsockopt " + name, t);
        }
        if (rc < 0) {
            throw NativeException.of("getsockopt " + name, object, Native.errno(errno));
        }
    }

    private static MemorySegment map(Arena arena, int fd, MemorySegment off, String ring, int entries, long entrySize,
            long pageOffset, String object) throws Throwable {
        long length = off.get(JAVA_LONG, XskLayouts.offset(XskLayouts.XDP_MMAP_OFFSETS, ring, "desc")) + entries * entrySize;
        MemorySegment errno = Native.errnoSegment(arena);
        MemorySegment address = (MemorySegment) XskLibc.MMAP.invokeExact(errno, MemorySegment.NULL, length,
                XskLibc.PROT_READ | XskLibc.PROT_WRITE, XskLibc.MAP_SHARED | XskLibc.MAP_POPULATE, fd, pageOffset);
        if (address.address() == -1L) {
            throw NativeException.of("mmap " + ring + " ring", object, Native.errno(errno));
        }
        return address.reinterpret(length);
    }

    private static XskProducerRing producer(String name, MemorySegment map, MemorySegment off, String ring, int size, long entrySize) {
        return new XskProducerRing(name, map, ringOffset(off, ring, "producer"), ringOffset(off, ring, "consumer"),
                ringOffset(off, ring, "flags"), ringOffset(off, ring, "desc"), size, entrySize);
    }

    private static XskConsumerRing consumer(String name, MemorySegment map, MemorySegment off, String ring, int size, long entrySize) {
        return new XskConsumerRing(name, map, ringOffset(off, ring, "producer"), ringOffset(off, ring, "consumer"),
                ringOffset(off, ring, "flags"), ringOffset(off, ring, "desc"), size, entrySize);
    }

    private static long ringOffset(MemorySegment off, String ring, String field) {
        return off.get(JAVA_LONG, XskLayouts.offset(XskLayouts.XDP_MMAP_OFFSETS, ring, field));
    }

    private static void unmap(MemorySegment mapping) {
        if (mapping == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) XskLibc.MUNMAP.invokeExact(Native.errnoSegment(arena), mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("munmap", t);
        }
    }

    private static void closeFd(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) XskLibc.CLOSE.invokeExact(Native.errnoSegment(arena), fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close", t);
        }
    }
}
