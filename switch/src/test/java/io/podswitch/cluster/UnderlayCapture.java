package io.podswitch.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on the underlay bridge while some traffic runs, then tshark decodes what was captured:
 * the proof that what crosses between nodes is VXLAN or Geneve with the right VNI (tshark's own
 * dissectors, not ours). tshark decodes UDP 4789 as VXLAN and 6081 as Geneve by default.
 */
final class UnderlayCapture {
    private UnderlayCapture() {
    }

    /**
     * Captures {@code packets} tunnel packets (UDP to the layout's tunnel port) on the underlay bridge
     * while {@code traffic} runs, and returns one line per packet: "VNI outer-source outer-destination" (VNI in decimal).
     */
    static List<String> tunnelPackets(ClusterHarness h, int packets, Runnable traffic) throws Exception {
        ClusterLayout l = h.layout();
        Path file = h.dir.resolve("underlay-" + System.nanoTime() + ".pcap");
        Process dump = h.background(h.underlayNetns(), "tcpdump", "-i", ClusterHarness.BRIDGE, "-U", "-n", "-c",
                Integer.toString(packets), "-w", file.toString(), "udp", "dst", "port", Integer.toString(l.udpPort()));
        Thread.sleep(700); // tcpdump opens its socket asynchronously; nothing says when it is ready
        traffic.run();
        if (!dump.waitFor(10, TimeUnit.SECONDS)) {
            dump.destroy();
            dump.waitFor(3, TimeUnit.SECONDS);
        }
        String vni = l.mode().equals("geneve") ? "geneve.vni" : "vxlan.vni";
        Sh.Result r = Sh.exec(Duration.ofSeconds(60), "tshark", "-r", file.toString(), "-T", "fields", "-E", "separator= ",
                "-e", vni, "-e", l.underlayFamily().equals("IPv4") ? "ip.src" : "ipv6.src",
                "-e", l.underlayFamily().equals("IPv4") ? "ip.dst" : "ipv6.dst");
        if (!r.ok()) {
            throw new IllegalStateException("tshark: " + r);
        }
        // an inner IPv4/IPv6 packet adds its own addresses to the fields: keep VNI and the outer pair
        return r.out().lines().map(line -> {
            String[] f = line.split(" ");
            // tshark prints the VXLAN VNI in decimal and the Geneve VNI in hex (0x00002a)
            return f.length >= 3 ? Integer.decode(f[0]) + " " + f[1].split(",")[0] + " " + f[2].split(",")[0] : line;
        }).toList();
    }
}
