package io.podswitch.nativeio;

import static io.podswitch.nativeio.XskLayouts.offset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** AF_XDP structure sizes and offsets as linux/if_xdp.h defines them (checked with gcc's offsetof). */
class XskLayoutsTest {
    @Test
    void sockaddrXdp() {
        assertEquals(16, XskLayouts.SOCKADDR_XDP.byteSize());
        assertEquals(0, offset(XskLayouts.SOCKADDR_XDP, "sxdp_family"));
        assertEquals(2, offset(XskLayouts.SOCKADDR_XDP, "sxdp_flags"));
        assertEquals(4, offset(XskLayouts.SOCKADDR_XDP, "sxdp_ifindex"));
        assertEquals(8, offset(XskLayouts.SOCKADDR_XDP, "sxdp_queue_id"));
        assertEquals(12, offset(XskLayouts.SOCKADDR_XDP, "sxdp_shared_umem_fd"));
    }

    @Test
    void umemReg() {
        assertEquals(32, XskLayouts.XDP_UMEM_REG.byteSize());
        assertEquals(0, offset(XskLayouts.XDP_UMEM_REG, "addr"));
        assertEquals(8, offset(XskLayouts.XDP_UMEM_REG, "len"));
        assertEquals(16, offset(XskLayouts.XDP_UMEM_REG, "chunk_size"));
        assertEquals(20, offset(XskLayouts.XDP_UMEM_REG, "headroom"));
        assertEquals(24, offset(XskLayouts.XDP_UMEM_REG, "flags"));
    }

    @Test
    void mmapOffsets() {
        assertEquals(32, XskLayouts.XDP_RING_OFFSET.byteSize());
        assertEquals(128, XskLayouts.XDP_MMAP_OFFSETS.byteSize());
        assertEquals(0, offset(XskLayouts.XDP_MMAP_OFFSETS, "rx"));
        assertEquals(32, offset(XskLayouts.XDP_MMAP_OFFSETS, "tx"));
        assertEquals(64, offset(XskLayouts.XDP_MMAP_OFFSETS, "fr"));
        assertEquals(96, offset(XskLayouts.XDP_MMAP_OFFSETS, "cr"));
        assertEquals(96 + 8, offset(XskLayouts.XDP_MMAP_OFFSETS, "cr", "consumer"));
        assertEquals(64 + 16, offset(XskLayouts.XDP_MMAP_OFFSETS, "fr", "desc"));
        assertEquals(24, offset(XskLayouts.XDP_RING_OFFSET, "flags"));
    }

    @Test
    void descriptor() {
        assertEquals(16, XskLayouts.DESC_SIZE);
        assertEquals(0, XskLayouts.DESC_ADDR);
        assertEquals(8, XskLayouts.DESC_LEN);
        assertEquals(12, XskLayouts.DESC_OPTIONS);
        assertEquals(48, XskLayouts.XDP_STATISTICS.byteSize());
    }

    @Test
    void socketConstants() {
        assertEquals(44, XskLibc.AF_XDP);
        assertEquals(283, XskLibc.SOL_XDP);
        assertEquals(0x100000000L, XskSocket.XDP_UMEM_PGOFF_FILL_RING);
        assertEquals(0x180000000L, XskSocket.XDP_UMEM_PGOFF_COMPLETION_RING);
        assertEquals(0x80000000L, XskSocket.XDP_PGOFF_TX_RING);
    }

    @Test
    void umemRejectsMisalignedOrRaggedMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment aligned = arena.allocate(4 * 4096, 4096);
            assertEquals(8, new XskUmem(aligned, 2048, 0).chunkCount());
            assertEquals(256, new XskUmem(aligned, 2048, 0).receiveOffset());
            assertThrows(IllegalArgumentException.class, () -> new XskUmem(aligned.asSlice(64, 2048), 2048, 0));
            assertThrows(IllegalArgumentException.class, () -> new XskUmem(aligned.asSlice(0, 3000), 2048, 0));
            assertThrows(IllegalArgumentException.class, () -> new XskUmem(aligned, 1024, 0));
            assertThrows(IllegalArgumentException.class, () -> new XskUmem(aligned, 2048, 900));
        }
    }

    @Test
    void socketOptionsValidateRingSizes() {
        XskSocketOptions d = XskSocketOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withRingSizes(1000, 1024, 1024, 1024));
        assertThrows(IllegalArgumentException.class, () -> d.withRingSizes(1024, 512, 1024, 1024));
        assertEquals(512, d.withRingSizes(512, 1024, 256, 1024).fillRingSize());
    }
}
