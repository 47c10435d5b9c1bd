package io.podswitch.nativeio;

import static io.podswitch.nativeio.bpf.BpfAttr.LINK_CREATE;
import static io.podswitch.nativeio.bpf.BpfAttr.MAP_CREATE;
import static io.podswitch.nativeio.bpf.BpfAttr.MAP_ELEM;
import static io.podswitch.nativeio.bpf.BpfAttr.PROG_LOAD;
import static io.podswitch.nativeio.bpf.BpfAttr.offset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.bpf.BpfAttr;
import org.junit.jupiter.api.Test;

/**
 * Offsets of {@code union bpf_attr} members as the kernel headers (linux/bpf.h, checked with gcc's
 * offsetof on this machine) define them.
 */
class BpfAttrTest {
    @Test
    void mapCreate() {
        assertEquals(0, offset(MAP_CREATE, "map_type"));
        assertEquals(4, offset(MAP_CREATE, "key_size"));
        assertEquals(8, offset(MAP_CREATE, "value_size"));
        assertEquals(12, offset(MAP_CREATE, "max_entries"));
        assertEquals(16, offset(MAP_CREATE, "map_flags"));
        assertEquals(28, offset(MAP_CREATE, "map_name"));
    }

    @Test
    void mapElement() {
        assertEquals(0, offset(MAP_ELEM, "map_fd"));
        assertEquals(8, offset(MAP_ELEM, "key"));
        assertEquals(16, offset(MAP_ELEM, "value"));
        assertEquals(24, offset(MAP_ELEM, "flags"));
        assertEquals(32, MAP_ELEM.byteSize());
    }

    @Test
    void progLoad() {
        assertEquals(0, offset(PROG_LOAD, "prog_type"));
        assertEquals(4, offset(PROG_LOAD, "insn_cnt"));
        assertEquals(8, offset(PROG_LOAD, "insns"));
        assertEquals(16, offset(PROG_LOAD, "license"));
        assertEquals(24, offset(PROG_LOAD, "log_level"));
        assertEquals(28, offset(PROG_LOAD, "log_size"));
        assertEquals(32, offset(PROG_LOAD, "log_buf"));
        assertEquals(40, offset(PROG_LOAD, "kern_version"));
        assertEquals(44, offset(PROG_LOAD, "prog_flags"));
        assertEquals(48, offset(PROG_LOAD, "prog_name"));
        assertEquals(64, offset(PROG_LOAD, "prog_ifindex"));
        assertEquals(68, offset(PROG_LOAD, "expected_attach_type"));
    }

    @Test
    void linkCreate() {
        assertEquals(0, offset(LINK_CREATE, "prog_fd"));
        assertEquals(4, offset(LINK_CREATE, "target_ifindex"));
        assertEquals(8, offset(LINK_CREATE, "attach_type"));
        assertEquals(12, offset(LINK_CREATE, "flags"));
    }

    @Test
    void everyCommandFitsTheUnion() {
        for (var layout : new java.lang.foreign.StructLayout[] {MAP_CREATE, MAP_ELEM, PROG_LOAD, LINK_CREATE}) {
            assertTrue(layout.byteSize() <= BpfAttr.UNION_SIZE, layout.toString());
        }
    }

    @Test
    void commandAndTypeNumbers() {
        assertEquals(0, Bpf.BPF_MAP_CREATE);
        assertEquals(2, Bpf.BPF_MAP_UPDATE_ELEM);
        assertEquals(3, Bpf.BPF_MAP_DELETE_ELEM);
        assertEquals(5, Bpf.BPF_PROG_LOAD);
        assertEquals(28, Bpf.BPF_LINK_CREATE);
        assertEquals(17, Bpf.BPF_MAP_TYPE_XSKMAP);
        assertEquals(6, Bpf.BPF_PROG_TYPE_XDP);
        assertEquals(37, Bpf.BPF_XDP);
        assertEquals(2, Bpf.XDP_FLAGS_SKB_MODE);
        assertEquals(4, Bpf.XDP_FLAGS_DRV_MODE);
    }
}
