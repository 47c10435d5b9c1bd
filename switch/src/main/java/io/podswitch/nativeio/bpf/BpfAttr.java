package io.podswitch.nativeio.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The members of the kernel's {@code union bpf_attr} that the switch uses, one struct layout per
 * command. The kernel accepts a shorter attribute than its own union as long as the size passed to
 * bpf(2) covers the fields the command reads; every byte we pass is zeroed first. Pointers travel as
 * {@code __aligned_u64}. Offsets are checked against the kernel headers in {@code BpfAttrTest}.
 *
 * <pre>
 * BPF_MAP_CREATE (44 bytes used)          BPF_MAP_UPDATE_ELEM / DELETE_ELEM (32)
 *  0 map_type     4 key_size               0 map_fd   4 (pad)
 *  8 value_size  12 max_entries            8 key   (u64 pointer)
 * 16 map_flags   20 inner_map_fd          16 value (u64 pointer)
 * 24 numa_node   28 map_name[16]          24 flags (u64: BPF_ANY ...)
 *
 * BPF_PROG_LOAD (72 used)                 BPF_LINK_CREATE (16 used)
 *  0 prog_type    4 insn_cnt               0 prog_fd        4 target_ifindex
 *  8 insns (u64 pointer)                   8 attach_type   12 flags (XDP_FLAGS_*)
 * 16 license (u64 pointer to "GPL\0")
 * 24 log_level   28 log_size
 * 32 log_buf (u64 pointer)
 * 40 kern_version 44 prog_flags
 * 48 prog_name[16]
 * 64 prog_ifindex 68 expected_attach_type
 *
 * BPF_PROG_TEST_RUN (40 used; tests)
 *  0 prog_fd      4 retval
 *  8 data_size_in 12 data_size_out
 * 16 data_in (u64 pointer) 24 data_out (u64 pointer)
 * 32 repeat      36 duration
 * </pre>
 */
public final class BpfAttr {
    /** Size of the whole union in the kernel headers this code was written against (for the tests). */
    public static final int UNION_SIZE = 144;

    public static final StructLayout MAP_CREATE = MemoryLayout.structLayout(
            JAVA_INT.withName("map_type"),
            JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"),
            JAVA_INT.withName("max_entries"),
            JAVA_INT.withName("map_flags"),
            JAVA_INT.withName("inner_map_fd"),
            JAVA_INT.withName("numa_node"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("map_name"));

    public static final StructLayout MAP_ELEM = MemoryLayout.structLayout(
            JAVA_INT.withName("map_fd"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"),
            JAVA_LONG.withName("flags"));

    public static final StructLayout PROG_LOAD = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_type"),
            JAVA_INT.withName("insn_cnt"),
            JAVA_LONG.withName("insns"),
            JAVA_LONG.withName("license"),
            JAVA_INT.withName("log_level"),
            JAVA_INT.withName("log_size"),
            JAVA_LONG.withName("log_buf"),
            JAVA_INT.withName("kern_version"),
            JAVA_INT.withName("prog_flags"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("prog_name"),
            JAVA_INT.withName("prog_ifindex"),
            JAVA_INT.withName("expected_attach_type"));

    public static final StructLayout PROG_TEST_RUN = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("retval"),
            JAVA_INT.withName("data_size_in"),
            JAVA_INT.withName("data_size_out"),
            JAVA_LONG.withName("data_in"),
            JAVA_LONG.withName("data_out"),
            JAVA_INT.withName("repeat"),
            JAVA_INT.withName("duration"));

    public static final StructLayout LINK_CREATE = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("target_ifindex"),
            JAVA_INT.withName("attach_type"),
            JAVA_INT.withName("flags"));

    /**
     * BPF_LINK_CREATE for tcx: after the common part, {@code tcx.relative_fd} (or id) and
     * {@code tcx.expected_revision}, both 0 here (append after every program, any revision).
     */
    public static final StructLayout LINK_CREATE_TCX = MemoryLayout.structLayout(
            JAVA_INT.withName("prog_fd"),
            JAVA_INT.withName("target_ifindex"),
            JAVA_INT.withName("attach_type"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("relative_fd"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("expected_revision"));

    private BpfAttr() {
    }

    /** Byte offset of a named member, e.g. {@code offset(PROG_LOAD, "log_buf")}. */
    public static long offset(StructLayout layout, String member) {
        return layout.byteOffset(groupElement(member));
    }
}
