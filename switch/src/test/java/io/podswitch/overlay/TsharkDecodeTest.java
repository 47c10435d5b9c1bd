package io.podswitch.overlay;

import io.podswitch.packet.FrameSlab;
import io.podswitch.port.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.podswitch.overlay.OverlayFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An independent decoder's opinion: encapsulated frames of all 8 combinations go into a pcap, and
 * tshark (when installed) must decode VXLAN / Geneve with our VNI, with good outer checksums.
 */
class TsharkDecodeTest {
    @Test
    void tsharkDecodesVxlanAndGeneveWithTheRightVni(@TempDir Path dir) throws Exception {
        Path tshark = Path.of("/usr/bin/tshark");
        assumeTrue(Files.isExecutable(tshark), "tshark is not installed");
        Path pcap = dir.resolve("overlay.pcap");
        List<String> expected = new ArrayList<>();
        try (FrameSlab slab = new FrameSlab(4); PcapWriter out = PcapWriter.create(pcap, false)) {
            for (TunnelMode mode : TunnelMode.values()) {
                for (boolean outer6 : new boolean[] {false, true}) {
                    for (boolean inner6 : new boolean[] {false, true}) {
                        TunnelPeer peer = peer(mode, outer6);
                        PeerTable table = table(peer);
                        load(slab, 0, inner(inner6, 1000, 2000));
                        assertEquals(true, new Encapsulator(slab, table, new OverlayCounters(table))
                                .encapsulate(0, peer.id()));
                        byte[] frame = read(slab, 0);
                        out.write(1_000_000_000L * expected.size(), frame, 0, frame.length);
                        String vni = Integer.toString(VNI);
                        // Mode, VNI, outer IP version, outer UDP checksum status (1 = good, 3 = absent),
                        // outer IPv4 header checksum status (1 = good), inner IP version.
                        expected.add(mode + " vni " + VNI + " outer " + (outer6 ? "6 udp 1" : "4 udp 3 ip 1")
                                + " inner " + (inner6 ? 6 : 4));
                    }
                }
            }
        }
        List<String> lines = run(tshark.toString(), "-r", pcap.toString(), "-n",
                "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-d", "udp.port==4789,vxlan", "-d", "udp.port==6081,geneve",
                "-T", "fields", "-e", "vxlan.vni", "-e", "geneve.vni",
                "-e", "udp.checksum.status", "-e", "ip.checksum.status", "-e", "ip.version");
        List<String> actual = new ArrayList<>();
        for (String line : lines) {
            // Fields repeat for the inner headers (comma separated): the first value is the outer one.
            String[] f = line.split("\t", -1);
            String mode = f[0].isEmpty() ? "GENEVE" : "VXLAN";
            int vni = Integer.decode(f[0].isEmpty() ? f[1] : f[0]);
            String[] versions = f[4].split(",");
            String outer = versions[0].equals("6") ? "6 udp " + f[2].split(",")[0]
                    : "4 udp " + f[2].split(",")[0] + " ip " + f[3].split(",")[0];
            actual.add(mode + " vni " + vni + " outer " + outer + " inner " + versions[versions.length - 1]);
        }
        assertEquals(expected, actual, String.join("\n", lines));
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish");
        }
        assertEquals(0, p.exitValue(), "tshark exit status");
        return new String(output, StandardCharsets.UTF_8).lines().toList();
    }
}
