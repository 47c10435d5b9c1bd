package io.podswitch.perf.baseline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsers of the baseline tools, fed with output captured from the real tools (DPDK 22.11, iperf 3.12). */
class BaselineOutputTest {

    private static String portStats(long pps0, long pps1) {
        return """
                Port statistics ====================================
                  ######################## NIC statistics for port 0  ########################
                  RX-packets: 16994496   RX-missed: 0          RX-bytes:  0
                  RX-errors: 0
                  RX-nombuf:  0
                  TX-packets: 16727744   TX-errors: 0          TX-bytes:  0

                  Throughput (since last show)
                  Rx-pps:     %d          Rx-bps:            0
                  Tx-pps:     %d          Tx-bps:            0
                  ############################################################################

                  ######################## NIC statistics for port 1  ########################
                  Throughput (since last show)
                  Rx-pps:     %d          Rx-bps:            0
                  Tx-pps:     %d          Tx-bps:            0
                """.formatted(pps0, pps0, pps1, pps1);
    }

    private static final String ACCUMULATED = """
              +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++
              RX-packets: 61492032       RX-dropped: 0             RX-total: 61492032
              TX-packets: 61492031       TX-dropped: 0             TX-total: 61492032
              ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
            """;

    @Test
    void testpmdSteadyRateIsTheMedianOfPeriodicBlocksAfterTheFirst() {
        String out = portStats(0, 0) + portStats(8_000_000, 8_000_000) + portStats(8_500_000, 8_400_000)
                + portStats(7_000_000, 7_000_000) + ACCUMULATED;
        assertEquals(List.of(0.0, 16e6, 16.9e6, 14e6), TestpmdOutput.periodicTxPps(out));
        assertEquals(16.0, TestpmdOutput.steadyMpps(out).getAsDouble(), 1e-9);
        assertEquals(61492031.0, TestpmdOutput.accumulatedTxPackets(out).getAsDouble());
    }

    @Test
    void testpmdShortRunFallsBackToTheAccumulatedCount() {
        String out = portStats(0, 0) + ACCUMULATED;
        assertTrue(TestpmdOutput.steadyMpps(out).isEmpty());
        assertTrue(TestpmdOutput.accumulatedTxPackets(out).isPresent());
        assertTrue(TestpmdOutput.accumulatedTxPackets("EAL: Error").isEmpty());
    }

    @Test
    void testpmdCommandNeedsNoHugepagesNorPci() {
        List<String> cmd = new TestpmdRunner(java.nio.file.Path.of("/usr/bin/dpdk-testpmd"))
                .command("macswap", 3, 64, List.of(4, 5), "pfx");
        assertTrue(cmd.containsAll(List.of("--no-huge", "--no-pci", "net_null0,size=60", "net_null1,size=60",
                "--forward-mode=macswap", "--nb-cores=3", "--rxq=2", "--txq=2")), cmd.toString());
        assertEquals("0@4,1@4,2@5,3@4", cmd.get(cmd.indexOf("--lcores") + 1));
        assertThrows(IllegalArgumentException.class, () -> new TestpmdRunner(java.nio.file.Path.of("x"))
                .command("rxonly", 1, 64, List.of(0), "p"));
    }

    @Test
    void lpmAutotestFiguresBecomeMetrics() {
        String out = """
                RTE>>lpm_perf_autotest
                No. routes = 1075262
                Route distribution per prefix width:
                DEPTH    QUANTITY (PERCENT)
                ---------------------------
                24         583900 (54.23)
                Unique added entries = 1075262
                Used table 24 entries = 15269888 (91.0156%)
                64 byte Cache entries used = 1212 (77568 bytes)
                Average LPM Add: 416658 cycles
                Average LPM Lookup: 19.4 cycles (fails = 12.5%)
                BULK LPM Lookup: 15.7 cycles (fails = 12.5%)
                LPM LookupX4: 23.5 cycles (fails = 12.5%)
                Average LPM Delete: 267618 cycles
                Not enough cores for lpm_rcu_perf_autotest, expecting at least 3
                Test OK
                """;
        assertEquals(Map.of("average_lpm_add", 416658.0, "average_lpm_lookup", 19.4, "bulk_lpm_lookup", 15.7,
                "lpm_lookupx4", 23.5, "average_lpm_delete", 267618.0), LpmAutotestOutput.cycles(out));
        assertTrue(LpmAutotestOutput.cycles("Test Failed").isEmpty());
    }

    @Test
    void lpmAutotestCommandSelectsTheTestByEnvironment() {
        List<String> cmd = new LpmAutotestRunner(java.nio.file.Path.of("/usr/bin/dpdk-test"), java.util.Optional.empty())
                .command("lpm6_perf_autotest", 2, "pfx");
        assertEquals(List.of("env", "DPDK_TEST=lpm6_perf_autotest", "/usr/bin/dpdk-test", "--no-huge"), cmd.subList(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new LpmAutotestRunner(java.nio.file.Path.of("x"),
                java.util.Optional.empty()).command("hash_autotest", 0, "p"));
    }

    @Test
    void iperf3ReceiverRateInGbps() throws IOException {
        String json = """
                {"start": {}, "intervals": [], "end": {
                  "sum_sent": {"bytes": 1, "bits_per_second": 11.5e9},
                  "sum_received": {"bytes": 1, "bits_per_second": 11.1e9}}}
                """;
        assertEquals(11.1, Iperf3Runner.receivedGbps(json), 1e-9);
        IOException e = assertThrows(IOException.class,
                () -> Iperf3Runner.receivedGbps("{\"start\": {}, \"error\": \"unable to connect to server\"}"));
        assertTrue(e.getMessage().contains("unable to connect"));
        assertThrows(IOException.class, () -> Iperf3Runner.receivedGbps("iperf3: error"));
        assertEquals("unable to connect to server: Connection refused",
                Iperf3Runner.jsonError("{\"start\": {}, \"error\": \"unable to connect to server: Connection refused\"}"));
        assertEquals(null, Iperf3Runner.jsonError(json));
        assertEquals(null, Iperf3Runner.jsonError("not json"));
    }
}
