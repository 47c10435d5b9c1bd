package io.podswitch.port.afxdp;

import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.XskSocket;
import io.podswitch.nativeio.XskSocketOptions;
import io.podswitch.packet.FrameSlab;

/**
 * Child process of {@link AfXdpMemlockTest}: registers a UMEM of the given number of 2 KiB frames on
 * an AF_XDP socket for "lo" and prints "registered" or the exception's message.
 */
public final class UmemRegisterMain {
    private UmemRegisterMain() {
    }

    public static void main(String[] args) {
        try (FrameSlab slab = new FrameSlab(Integer.parseInt(args[0]))) {
            try (XskSocket socket = XskSocket.open(SlabUmem.over(slab), "lo", 0, XskSocketOptions.defaults())) {
                System.out.println("registered " + socket);
            } catch (NativeException e) {
                System.out.println(e.getMessage());
            }
        }
    }
}
