package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podswitch.nativeio.bpf.BpfAttr;
import io.podswitch.nativeio.bpf.BpfProgram;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The bpf(2) system call, reached through {@code syscall(__NR_bpf, ...)} because glibc has no
 * wrapper: creating an XSKMAP, putting AF_XDP sockets into it, loading an XDP program and attaching
 * it with a BPF link. Control-plane only; every call allocates its attribute in a confined arena.
 *
 * <p>Programs are attached with {@code BPF_LINK_CREATE}, never with the netlink
 * {@code IFLA_XDP} attribute: a link is owned by its file descriptor, so when the last descriptor
 * closes — the port is closed, or the process dies, even by SIGKILL — the kernel detaches the
 * program and the interface is left clean.
 */
public final class Bpf {
    /** {@code __NR_bpf} on x86-64. */
    static final long SYS_BPF = 321;

    static final int BPF_MAP_CREATE = 0;
    static final int BPF_MAP_UPDATE_ELEM = 2;
    static final int BPF_MAP_DELETE_ELEM = 3;
    static final int BPF_PROG_LOAD = 5;
    static final int BPF_PROG_TEST_RUN = 10;
    static final int BPF_LINK_CREATE = 28;

    static final int BPF_MAP_TYPE_HASH = 1;
    static final int BPF_MAP_TYPE_XSKMAP = 17;
    /** A hash map that evicts its least recently used entries when full (flow tables). */
    public static final int BPF_MAP_TYPE_LRU_HASH = 9;
    /** Socket filters; also what a TAP's steering program is ({@code TUNSETSTEERINGEBPF}). */
    public static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;
    static final int BPF_PROG_TYPE_XDP = 6;
    /** Traffic-control classifier programs: what tcx links run. */
    public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
    /** {@code BPF_TCX_INGRESS}: a tcx link on an interface's ingress (Linux 6.6+). */
    static final int BPF_TCX_INGRESS = 46;
    /** {@code enum bpf_attach_type} value for XDP links. */
    static final int BPF_XDP = 37;
    static final long BPF_ANY = 0;

    /** Attach in generic mode: the program runs on socket buffers; works on every device. */
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    /** Attach in the driver's native mode (veth supports it too). */
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;

    /** Verifier log level 1: the instructions walked and the reason of the rejection. */
    private static final int LOG_LEVEL = 1;
    private static final int LOG_SIZE = 1 << 20;
    /** The log is returned with the exception, trimmed to its end where the reason is. */
    private static final int LOG_MAX_CHARS = 8192;

    private static final MethodHandle SYSCALL = Native.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle CLOSE = Native.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private Bpf() {
    }

    /**
     * Creates an XSKMAP: key = receive queue index, value = AF_XDP socket fd.
     * @return the map's file descriptor
     */
    public static int createXskMap(String name, int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("XSKMAP needs at least one entry: " + maxEntries);
        }
        return createMap(name, BPF_MAP_TYPE_XSKMAP, 4, 4, maxEntries);
    }

    /**
     * Creates a hash map ({@code BPF_MAP_TYPE_HASH}) of {@code maxEntries} fixed-size keys and values.
     * @return the map's file descriptor
     */
    public static int createHashMap(String name, int keySize, int valueSize, int maxEntries) {
        if (keySize <= 0 || valueSize <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("hash map " + name + ": sizes must be positive");
        }
        return createMap(name, BPF_MAP_TYPE_HASH, keySize, valueSize, maxEntries);
    }

    private static int createMap(String name, int type, int keySize, int valueSize, int maxEntries) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfAttr.MAP_CREATE);
            set(attr, BpfAttr.MAP_CREATE, "map_type", type);
            set(attr, BpfAttr.MAP_CREATE, "key_size", keySize);
            set(attr, BpfAttr.MAP_CREATE, "value_size", valueSize);
            set(attr, BpfAttr.MAP_CREATE, "max_entries", maxEntries);
            putName(attr, BpfAttr.offset(BpfAttr.MAP_CREATE, "map_name"), name);
            return (int) call(arena, BPF_MAP_CREATE, attr, "BPF_MAP_CREATE", name, null);
        }
    }

    /**
     * Creates a hash-type map of another type ({@link #BPF_MAP_TYPE_LRU_HASH} ...) with the given key and
     * value sizes.
     * @return the map's file descriptor
     */
    public static int createHashMap(int mapType, String name, int keySize, int valueSize, int maxEntries) {
        if (keySize <= 0 || valueSize <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("map " + name + ": sizes and entries must be positive: key " + keySize
                    + ", value " + valueSize + ", entries " + maxEntries);
        }
        return createMap(name, mapType, keySize, valueSize, maxEntries);
    }

    /** Sets {@code map[key] = value} (the map's key and value sizes). */
    public static void updateElement(int mapFd, byte[] key, byte[] value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            update(arena, mapFd, arena.allocateFrom(JAVA_BYTE, key), arena.allocateFrom(JAVA_BYTE, value), what);
        }
    }

    /** Sets {@code map[key] = value} for a map with 4-byte keys and values. */
    public static void updateElement(int mapFd, int key, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            update(arena, mapFd, arena.allocateFrom(JAVA_INT, key), arena.allocateFrom(JAVA_INT, value), what);
        }
    }

    private static void update(Arena arena, int mapFd, MemorySegment key, MemorySegment value, String what) {
        MemorySegment attr = arena.allocate(BpfAttr.MAP_ELEM);
        set(attr, BpfAttr.MAP_ELEM, "map_fd", mapFd);
        attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.MAP_ELEM, "key"), key.address());
        attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.MAP_ELEM, "value"), value.address());
        attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.MAP_ELEM, "flags"), BPF_ANY);
        call(arena, BPF_MAP_UPDATE_ELEM, attr, "BPF_MAP_UPDATE_ELEM", what, null);
    }

    /** Removes {@code map[key]}; a key that is not there is not an error. */
    public static void deleteElement(int mapFd, byte[] key, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = deleteAttr(arena, mapFd, arena.allocateFrom(JAVA_BYTE, key));
            MemorySegment errno = Native.errnoSegment(arena);
            if (bpf(errno, BPF_MAP_DELETE_ELEM, attr) < 0) {
                int err = Native.errno(errno);
                if (err != Errno.ENOENT) {
                    throw new NativeException("BPF_MAP_DELETE_ELEM", what, err, Errno.hint(err));
                }
            }
        }
    }

    /** Removes {@code map[key]} for a map with 4-byte keys. */
    public static void deleteElement(int mapFd, int key, String what) {
        try (Arena arena = Arena.ofConfined()) {
            call(arena, BPF_MAP_DELETE_ELEM, deleteAttr(arena, mapFd, arena.allocateFrom(JAVA_INT, key)),
                    "BPF_MAP_DELETE_ELEM", what, null);
        }
    }

    private static MemorySegment deleteAttr(Arena arena, int mapFd, MemorySegment key) {
        MemorySegment attr = arena.allocate(BpfAttr.MAP_ELEM);
        set(attr, BpfAttr.MAP_ELEM, "map_fd", mapFd);
        attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.MAP_ELEM, "key"), key.address());
        return attr;
    }

    /**
     * Loads an XDP program. The first attempt runs without a log (the fast path of every start);
     * when the kernel refuses it, the load is repeated with a verifier log whose tail becomes part
     * of the exception message.
     * @return the program's file descriptor
     */
    public static int loadXdpProgram(BpfProgram program) {
        return loadProgram(program, BPF_PROG_TYPE_XDP);
    }

    /**
     * Loads a program of {@code progType} ({@link #BPF_PROG_TYPE_SOCKET_FILTER} ...), with the verifier
     * log in the exception when the kernel refuses it (see {@link #loadXdpProgram}).
     * @return the program's file descriptor
     */
    public static int loadProgram(BpfProgram program, int progType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate((long) program.instructionCount() * 8, 8);
            MemorySegment.copy(program.code(), 0, insns, JAVA_BYTE, 0, program.code().length);
            MemorySegment license = arena.allocateFrom(program.license());
            MemorySegment attr = arena.allocate(BpfAttr.PROG_LOAD);
            set(attr, BpfAttr.PROG_LOAD, "prog_type", progType);
            set(attr, BpfAttr.PROG_LOAD, "insn_cnt", program.instructionCount());
            attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.PROG_LOAD, "insns"), insns.address());
            attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.PROG_LOAD, "license"), license.address());
            putName(attr, BpfAttr.offset(BpfAttr.PROG_LOAD, "prog_name"), program.name());
            MemorySegment errno = Native.errnoSegment(arena);
            long fd = bpf(errno, BPF_PROG_LOAD, attr);
            if (fd >= 0) {
                return (int) fd;
            }
            MemorySegment log = arena.allocate(LOG_SIZE);
            set(attr, BpfAttr.PROG_LOAD, "log_level", LOG_LEVEL);
            set(attr, BpfAttr.PROG_LOAD, "log_size", LOG_SIZE);
            attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.PROG_LOAD, "log_buf"), log.address());
            fd = bpf(errno, BPF_PROG_LOAD, attr);
            if (fd >= 0) {
                return (int) fd; // a transient failure; the second attempt went through
            }
            int err = Native.errno(errno);
            String text = log.getString(0, StandardCharsets.UTF_8).strip();
            if (text.length() > LOG_MAX_CHARS) {
                text = "..." + text.substring(text.length() - LOG_MAX_CHARS);
            }
            String hint = text.isEmpty() ? Errno.hint(err) : "verifier log:\n" + text;
            throw new NativeException("BPF_PROG_LOAD", program.name(), err, hint);
        }
    }

    /**
     * Attaches an XDP program to an interface through a BPF link.
     * @param xdpFlags {@link #XDP_FLAGS_SKB_MODE} or {@link #XDP_FLAGS_DRV_MODE}
     * @return the link's file descriptor; closing it detaches the program
     */
    public static int createXdpLink(int programFd, int ifindex, int xdpFlags, String interfaceName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfAttr.LINK_CREATE);
            set(attr, BpfAttr.LINK_CREATE, "prog_fd", programFd);
            set(attr, BpfAttr.LINK_CREATE, "target_ifindex", ifindex);
            set(attr, BpfAttr.LINK_CREATE, "attach_type", BPF_XDP);
            set(attr, BpfAttr.LINK_CREATE, "flags", xdpFlags);
            MemorySegment errno = Native.errnoSegment(arena);
            long fd = bpf(errno, BPF_LINK_CREATE, attr);
            if (fd < 0) {
                int err = Native.errno(errno);
                String hint = switch (err) {
                    case Errno.EBUSY, Errno.EEXIST -> "another XDP program or link is attached to the interface";
                    case Errno.ENOSPC -> "veth: native XDP needs at least as many RX queues as the peer has TX queues"
                            + " (or use generic mode)";
                    case Errno.EOPNOTSUPP, Errno.EINVAL -> "the driver has no native XDP for this setup; try generic mode";
                    case Errno.ERANGE -> "MTU too large for native XDP on this driver";
                    default -> Errno.hint(err);
                };
                throw new NativeException("BPF_LINK_CREATE", interfaceName, err, hint);
            }
            return (int) fd;
        }
    }

    /**
     * Attaches a {@link #BPF_PROG_TYPE_SCHED_CLS} program to an interface's ingress through a tcx link
     * ({@code BPF_LINK_CREATE}, attach type {@code BPF_TCX_INGRESS}), after the programs already there.
     * The link is owned by its descriptor: closing it, or the process dying (even by SIGKILL), detaches
     * the program; nothing stays on the interface.
     * @return the link's file descriptor
     */
    public static int createTcxIngressLink(int programFd, int ifindex, String interfaceName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfAttr.LINK_CREATE_TCX);
            set(attr, BpfAttr.LINK_CREATE_TCX, "prog_fd", programFd);
            set(attr, BpfAttr.LINK_CREATE_TCX, "target_ifindex", ifindex);
            set(attr, BpfAttr.LINK_CREATE_TCX, "attach_type", BPF_TCX_INGRESS);
            return (int) call(arena, BPF_LINK_CREATE, attr, "BPF_LINK_CREATE", interfaceName,
                    "tcx needs Linux 6.6 or later");
        }
    }

    /**
     * Runs a loaded program {@code repeat} times back to back on {@code packet} ({@code BPF_PROG_TEST_RUN}:
     * the kernel builds a socket buffer or XDP frame around a copy of it) and returns the last run's
     * return value. For tests of programs that decide by packet content (and by the maps they keep).
     */
    public static int testRun(int programFd, byte[] packet, String what, int repeat) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, packet.length), 8);
            MemorySegment.copy(packet, 0, data, JAVA_BYTE, 0, packet.length);
            MemorySegment out = arena.allocate(packet.length + 512L, 8);
            MemorySegment attr = arena.allocate(BpfAttr.PROG_TEST_RUN);
            set(attr, BpfAttr.PROG_TEST_RUN, "prog_fd", programFd);
            set(attr, BpfAttr.PROG_TEST_RUN, "data_size_in", packet.length);
            set(attr, BpfAttr.PROG_TEST_RUN, "data_size_out", (int) out.byteSize());
            attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.PROG_TEST_RUN, "data_in"), data.address());
            attr.set(JAVA_LONG, BpfAttr.offset(BpfAttr.PROG_TEST_RUN, "data_out"), out.address());
            set(attr, BpfAttr.PROG_TEST_RUN, "repeat", repeat);
            call(arena, BPF_PROG_TEST_RUN, attr, "BPF_PROG_TEST_RUN", what, null);
            return attr.get(JAVA_INT, BpfAttr.offset(BpfAttr.PROG_TEST_RUN, "retval"));
        }
    }

    /** Closes a map, program or link descriptor; errors are ignored as close(2) cannot be retried. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(Native.errnoSegment(arena), fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(" + fd + ")", t);
        }
    }

    private static long call(Arena arena, int command, MemorySegment attr, String name, String object, String hint) {
        MemorySegment errno = Native.errnoSegment(arena);
        long rc = bpf(errno, command, attr);
        if (rc < 0) {
            int err = Native.errno(errno);
            String h = Errno.hint(err);
            throw new NativeException(name, object, err, h != null && hint != null ? h + "; " + hint : h != null ? h : hint);
        }
        return rc;
    }

    private static long bpf(MemorySegment errno, int command, MemorySegment attr) {
        try {
            return (long) SYSCALL.invokeExact(errno, SYS_BPF, (long) command, attr, attr.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("bpf(" + command + ")", t);
        }
    }

    private static void set(MemorySegment attr, StructLayout layout, String member, int value) {
        attr.set(JAVA_INT, BpfAttr.offset(layout, member), value);
    }

    /** Object names: at most 15 characters of [A-Za-z0-9_.], NUL-terminated (the kernel checks). */
    private static void putName(MemorySegment attr, long offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        int n = 0;
        for (int i = 0; i < bytes.length && n < 15; i++) {
            byte b = bytes[i];
            boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '.';
            attr.set(JAVA_BYTE, offset + n++, ok ? b : (byte) '_');
        }
    }
}
