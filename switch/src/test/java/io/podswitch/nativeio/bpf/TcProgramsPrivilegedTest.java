package io.podswitch.nativeio.bpf;

import static io.podswitch.nativeio.bpf.XdpProgramsTest.arp;
import static io.podswitch.nativeio.bpf.XdpProgramsTest.tcp4;
import static io.podswitch.nativeio.bpf.XdpProgramsTest.udp4;
import static io.podswitch.nativeio.bpf.XdpProgramsTest.udp6;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.nativeio.Bpf;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The {@code tap} uplink's tc programs pass the kernel's verifier and decide as intended, run by the kernel
 * itself ({@code BPF_PROG_TEST_RUN} on a socket buffer): the overlay port to the node's addresses is
 * redirected (TC_ACT_REDIRECT), everything else goes on (TCX_NEXT); the TAP's program redirects everything.
 */
@Tag("privileged")
class TcProgramsPrivilegedTest {
    private static final int TAP_IFINDEX = 1; // lo: any existing index; a test run redirects nothing

    @Test
    void theNicProgramTakesTheTunnelPortToTheNodeOnly() throws Exception {
        XdpFilter filter = XdpFilter.udpPortTo(4789, List.of(IpPrefix.parse("192.168.78.11/32"),
                IpPrefix.parse("fd00:78::11/128")));
        int fd = Bpf.loadProgram(TcPrograms.redirectMatching(TAP_IFINDEX, filter), Bpf.BPF_PROG_TYPE_SCHED_CLS);
        try {
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp4("192.168.78.11", 4789, 0, 0)));
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp4("192.168.78.11", 4789, 8, 0)), "IPv4 options");
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp6("fd00:78::11", 4789)));
            assertEquals(TcPrograms.TCX_NEXT, run(fd, udp4("192.168.78.12", 4789, 0, 0)), "another host's tunnel");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, udp4("192.168.78.11", 4790, 0, 0)), "another port");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, udp4("192.168.78.11", 4789, 0, 100)), "non-first fragment");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, tcp4("192.168.78.11", 4789)), "TCP");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, udp6("fd00:78::12", 4789)));
            assertEquals(TcPrograms.TCX_NEXT, run(fd, arp()), "ARP stays with the node");
        } finally {
            Bpf.close(fd);
        }
    }

    @Test
    void theNicProgramAlsoTakesTheNodePortRangeToTheNode() throws Exception {
        List<IpPrefix> node = List.of(IpPrefix.parse("192.168.78.11/32"), IpPrefix.parse("fd00:78::11/128"));
        XdpFilter filter = XdpFilter.udpPortTo(4789, node).withNodePorts(node, 30000, 32767);
        int fd = Bpf.loadProgram(TcPrograms.redirectMatching(TAP_IFINDEX, filter), Bpf.BPF_PROG_TYPE_SCHED_CLS);
        try {
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, tcp4("192.168.78.11", 30080)), "TCP node port");
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp4("192.168.78.11", 30053, 0, 0)), "UDP node port");
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp6("fd00:78::11", 32767)), "IPv6, the range's end");
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp4("192.168.78.11", 4789, 0, 0)), "the tunnel still");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, tcp4("192.168.78.11", 22)), "ssh stays with the node");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, tcp4("192.168.78.12", 30080)), "another host's node port");
            assertEquals(TcPrograms.TCX_NEXT, run(fd, udp6("fd00:78::11", 29999)), "below the range");
        } finally {
            Bpf.close(fd);
        }
    }

    @Test
    void theTapProgramSendsEverythingOutThroughTheNic() throws Exception {
        int fd = Bpf.loadProgram(TcPrograms.redirectNeigh(TAP_IFINDEX), Bpf.BPF_PROG_TYPE_SCHED_CLS);
        try {
            assertEquals(TcPrograms.TC_ACT_REDIRECT, run(fd, udp4("192.168.78.12", 4789, 0, 0)));
        } finally {
            Bpf.close(fd);
        }
    }

    private static int run(int fd, byte[] packet) {
        return Bpf.testRun(fd, packet, "tc program", 1);
    }
}
