package io.podswitch.perf.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The UDP pps figure of the cross-node scenario, from iperf3 3.12's {@code -J -u} client output. */
class Iperf3UdpOutputTest {

    // trimmed from a real `iperf3 -c 127.0.0.1 -u -l 64 -b 0 -t 1 -J` run: 450,424 of 473,760 datagrams arrived
    private static final String UDP = """
            {"start": {}, "intervals": [], "end": {"streams": [],
              "sum": {"start": 0, "end": 1.000107, "seconds": 1.000107, "bytes": 30320640, "packets": 473760,
                      "lost_packets": 23336, "sender": true},
              "sum_sent": {"start": 0, "end": 1.000107, "seconds": 1.000107, "bytes": 30320640, "sender": true},
              "sum_received": {"start": 0, "end": 1.000107, "seconds": 1.000107, "bytes": 28827136, "sender": false}}}
            """;

    @Test
    void receivedDatagramsPerSecondComeFromTheReceiverSum() throws IOException {
        assertEquals(28827136 / 64 / 1.000107 / 1e6, Iperf3Runner.receivedMpps(UDP, 64), 1e-9);
    }

    @Test
    void anIperf3ErrorOrMissingSumIsAnIoException() {
        assertThrows(IOException.class, () -> Iperf3Runner.receivedMpps("{\"error\": \"unable to connect to server\"}", 64));
        assertThrows(IOException.class, () -> Iperf3Runner.receivedMpps("{\"end\": {}}", 64));
        assertThrows(IOException.class, () -> Iperf3Runner.receivedMpps("not json", 64));
    }
}
