package io.podswitch.port.afxdp;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;

/**
 * Child process of {@link AfXdpKillTest}: opens an AF_XDP port (XDP program attached through a BPF
 * link) on the interface named by the first argument, says so on stdout, and sleeps until killed.
 */
public final class XdpHoldMain {
    private XdpHoldMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        FrameSlab slab = new FrameSlab(1024);
        FramePool pool = new FramePool(slab);
        AfXdpPort port = new AfXdpPort(1, AfXdpPortConfig.of(args[0]).withAttachMode(XdpLink.Mode.valueOf(args[1])),
                SlabUmem.over(slab), pool);
        System.out.println("attached " + port.attachMode());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
