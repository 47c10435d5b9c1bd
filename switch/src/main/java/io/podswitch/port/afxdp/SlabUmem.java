package io.podswitch.port.afxdp;

import io.podswitch.nativeio.XskUmem;
import io.podswitch.packet.FrameSlab;

/**
 * The switch's frame slab as an AF_XDP UMEM: one chunk per frame, so a descriptor address maps to a
 * frame index with a shift ({@link FrameSlab#frameOf}) and every AF_XDP port of the switch shares
 * the same memory — forwarding between them copies nothing in user space.
 *
 * <p>Headroom: the kernel writes a received packet at chunk start + UMEM headroom + 256
 * (XDP_PACKET_HEADROOM). The UMEM headroom is chosen so that this equals the slab's headroom when the
 * slab's headroom is at least 256 (the default: 256, so UMEM headroom 0). Ports nevertheless take
 * each packet's offset from its descriptor address, so any headroom works.
 */
public final class SlabUmem {
    private SlabUmem() {
    }

    /**
     * A UMEM over the slab's normal frames. Register it once per switch and hand it to every AF_XDP
     * port. The large-frame region behind them (GSO super-frames) is left out: the kernel never sees
     * those frames, and they do not count against the locked-memory limit.
     */
    public static XskUmem over(FrameSlab slab) {
        int headroom = Math.max(0, slab.headroom() - XskUmem.XDP_PACKET_HEADROOM);
        return new XskUmem(slab.memory().asSlice(0, slab.normalRegionSize()), slab.frameSize(), headroom);
    }
}
