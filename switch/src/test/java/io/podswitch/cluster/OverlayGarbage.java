package io.podswitch.cluster;

import io.podswitch.nativeio.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Malformed or unauthorised datagrams to a node's tunnel port, sent with a kernel UDP socket from
 * another namespace (a real node, or a stranger on the underlay bridge), for the "garbage is dropped
 * and counted" checks.
 *
 * <pre>
 *  VXLAN (8)   |0 0 0 0 1 0 0 0| reserved (24) | VNI (24) | reserved (8) |  then an inner Ethernet frame
 *  Geneve (8)  |ver 0|optlen 0|O C 0| protocol 0x6558 | VNI (24) | reserved (8) |
 * </pre>
 */
final class OverlayGarbage {
    private OverlayGarbage() {
    }

    /** A tunnel header for {@code mode} with {@code vni}, followed by a 60-byte inner frame (zero MACs, IPv4 ethertype, zeros). */
    static byte[] tunnelDatagram(String mode, int vni) {
        ByteBuffer b = ByteBuffer.allocate(8 + 60);
        if (mode.equals("geneve")) {
            b.put((byte) 0).put((byte) 0).putShort((short) 0x6558);
        } else {
            b.put((byte) 0x08).put((byte) 0).put((byte) 0).put((byte) 0);
        }
        b.put((byte) (vni >>> 16)).put((byte) (vni >>> 8)).put((byte) vni).put((byte) 0);
        b.position(8 + 12);
        b.putShort((short) 0x0800);
        return b.array();
    }

    /** Sends {@code payload} from {@code netns}, bound to {@code source}, to {@code target:port}, {@code count} times. */
    static void send(String netns, String source, String target, int port, byte[] payload, int count) {
        Netns.call(netns, () -> {
            try (DatagramChannel c = DatagramChannel.open()) {
                c.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(target), port);
                for (int i = 0; i < count; i++) {
                    c.send(ByteBuffer.wrap(payload), to);
                }
            }
            return null;
        });
    }
}
