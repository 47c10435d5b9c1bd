package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.NETLINK_CAP_ACK;
import static io.podswitch.nativeio.NetlinkLayouts.NETLINK_EXT_ACK;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSGERR_ATTR_MSG;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSGHDR_SIZE;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_DONE;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_ERROR;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_FLAGS;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_LEN;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_SEQ;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_TYPE;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_ACK_TLVS;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_CAPPED;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_DUMP;
import static io.podswitch.nativeio.NetlinkLayouts.SOCKADDR_NL;
import static io.podswitch.nativeio.NetlinkLayouts.SOL_NETLINK;
import static io.podswitch.nativeio.NetlinkLayouts.align;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * One netlink socket talking to the kernel (control plane only), for the request/answer families:
 * rtnetlink ({@link Netlink}) and nfnetlink ({@link NfTables}). It asks for extended ACKs
 * ({@code NETLINK_EXT_ACK}: the kernel explains a refusal in text) and capped ACKs ({@code NETLINK_CAP_ACK}:
 * an error echoes only the request's header), and never waits for an answer longer than
 * {@link #ANSWER_TIMEOUT_MILLIS}. Not thread-safe: its owner serialises the calls.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** The kernel answers at once; a silent socket means something is badly wrong, never wait forever. */
    static final long ANSWER_TIMEOUT_MILLIS = 5_000;

    /** One received message, handed to the caller's handler: its offset and length in the buffer, and its type. */
    @FunctionalInterface
    interface MessageHandler {
        void message(MemorySegment buffer, int offset, int length, int type);
    }

    private final int fd;
    private final String label;
    private final Arena arena;
    private final MemorySegment receiveBuffer;
    private final MemorySegment kernel;
    private boolean closed;

    private NetlinkSocket(int fd, String label) {
        this.fd = fd;
        this.label = label;
        this.arena = Arena.ofShared();
        this.receiveBuffer = arena.allocate(BUFFER_BYTES, 8);
        this.kernel = arena.allocate(SOCKADDR_NL);
        kernel.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
    }

    /**
     * Opens a netlink socket of {@code protocol} (NETLINK_ROUTE, NETLINK_NETFILTER) in the calling
     * thread's network namespace; {@code label} names it in errors ("rtnetlink", "nf_tables").
     */
    static NetlinkSocket open(int protocol, String label) {
        int fd = Sockets.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW, protocol, label);
        try {
            // Best effort: older kernels lack them, and errors are still reported without them.
            trySetOption(fd, NETLINK_EXT_ACK, "NETLINK_EXT_ACK", label);
            trySetOption(fd, NETLINK_CAP_ACK, "NETLINK_CAP_ACK", label);
            Sockets.setReceiveTimeout(fd, ANSWER_TIMEOUT_MILLIS, label);
            NetlinkSocket socket = new NetlinkSocket(fd, label);
            MemorySegment local = socket.arena.allocate(SOCKADDR_NL);
            local.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
            Sockets.bind(fd, local, label);
            return socket;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static void trySetOption(int fd, int option, String name, String label) {
        try {
            Sockets.setInt(fd, SOL_NETLINK, option, 1, name, label);
        } catch (NativeException ignored) {
            // The kernel predates the option; ACKs then carry no text, which is all we lose.
        }
    }

    /** Sends the first {@code length} bytes of {@code request} to the kernel. */
    void send(MemorySegment request, int length, String operation) {
        checkOpen();
        Sockets.sendTo(fd, request, length, kernel, label + " " + operation);
    }

    /** Reads one datagram into {@link #receiveBuffer()}; silence becomes ETIMEDOUT naming the operation. */
    int receive(String operation, String object) {
        try {
            return (int) Sockets.receive(fd, receiveBuffer, 0, label + " " + operation);
        } catch (NativeException e) {
            if (e.errno() == Errno.EAGAIN) {
                throw new NativeException(operation, object, Errno.ETIMEDOUT,
                        "no answer from the kernel within " + ANSWER_TIMEOUT_MILLIS + " ms");
            }
            throw e;
        }
    }

    MemorySegment receiveBuffer() {
        return receiveBuffer;
    }

    /** A request buffer of {@code bytes} that lives as long as this socket. */
    NetlinkRequest newRequest(int bytes) {
        return new NetlinkRequest(arena.allocate(bytes, 8));
    }

    /**
     * Sends one request (sequence number {@code seq}) and reads answers with that sequence number until
     * the ACK, the end of a dump, or (for a get that asks for no ACK) the first reply; every answer but
     * the ACK goes to {@code handler}. A kernel error becomes a {@link NativeException}.
     */
    void exchange(NetlinkRequest request, int seq, String operation, String object, MessageHandler handler,
                  boolean replyExpected) {
        int length = request.finish();
        int flags = request.buffer().get(JAVA_SHORT, NLMSG_FLAGS) & 0xffff;
        boolean dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
        send(request.buffer(), length, operation);
        for (;;) {
            int n = receive(operation, object);
            int at = 0;
            while (at + NLMSGHDR_SIZE <= n) {
                int len = messageLength(at, n, operation);
                int type = receiveBuffer.get(JAVA_SHORT, at + NLMSG_TYPE) & 0xffff;
                if (receiveBuffer.get(JAVA_INT, at + NLMSG_SEQ) == seq) {
                    if (type == NLMSG_ERROR) {
                        int error = errorCode(at);
                        if (error != 0) {
                            throw kernelError(operation, object, -error, at, len);
                        }
                        return;
                    }
                    if (type == NLMSG_DONE) {
                        return;
                    }
                    if (handler != null) {
                        handler.message(receiveBuffer, at, len, type);
                    }
                    if (replyExpected && !dump) {
                        return;
                    }
                }
                at += align(len);
            }
        }
    }

    /** The length of the message at {@code at}; a message that does not fit the datagram is refused. */
    int messageLength(int at, int received, String operation) {
        int len = receiveBuffer.get(JAVA_INT, at + NLMSG_LEN);
        if (len < NLMSGHDR_SIZE || at + len > received) {
            throw new IllegalStateException(label + " " + operation + ": truncated reply");
        }
        return len;
    }

    /** The (negative errno or 0) error field of the NLMSG_ERROR message at {@code at}. */
    int errorCode(int at) {
        return receiveBuffer.get(JAVA_INT, at + NLMSGHDR_SIZE);
    }

    /** The NLMSG_ERROR at {@code at} as an exception, with the kernel's extended-ACK text when it sent one. */
    NativeException kernelError(String operation, String object, int errno, int at, int len) {
        int hdrFlags = receiveBuffer.get(JAVA_SHORT, at + NLMSG_FLAGS) & 0xffff;
        String text = null;
        if ((hdrFlags & NLM_F_ACK_TLVS) != 0) {
            int echoed = (hdrFlags & NLM_F_CAPPED) != 0
                    ? NLMSGHDR_SIZE
                    : align(receiveBuffer.get(JAVA_INT, at + NLMSGHDR_SIZE + 4));
            RtAttributes a = new RtAttributes(receiveBuffer, at + NLMSGHDR_SIZE + 4 + echoed, at + len);
            while (a.next()) {
                if (a.type() == NLMSGERR_ATTR_MSG) {
                    text = string(receiveBuffer, a.data(), a.length());
                }
            }
        }
        String hint = Errno.hint(errno);
        if (text != null && !text.isEmpty()) {
            hint = "kernel: " + text + (hint == null ? "" : "; " + hint);
        }
        return new NativeException(operation, object, errno, hint);
    }

    /** A NUL-terminated (or attribute-bounded) string attribute. */
    static String string(MemorySegment buf, int at, int maxLength) {
        int n = 0;
        while (n < maxLength && buf.get(JAVA_BYTE, at + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        MemorySegment.copy(buf, JAVA_BYTE, at, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(label + " socket is closed");
        }
    }

    /** Closes the descriptor and frees the buffers (also those of {@link #newRequest}). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }
}
