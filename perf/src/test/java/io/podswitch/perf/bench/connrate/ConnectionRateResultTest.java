package io.podswitch.perf.bench.connrate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionRateResultTest {

    @Test
    void roundTripsThroughTheClientsLine() throws IOException {
        ConnectionRateResult r = new ConnectionRateResult(4123, 2.0, 181.25, 950.0, 3, 1, 2,
                Map.of("b1", 2000L, "b0", 2123L));
        String out = "some JVM warning\n" + r.format() + "\n";
        ConnectionRateResult back = ConnectionRateResult.parse(out);
        assertEquals(4123, back.ok());
        assertEquals(2061.5, back.perSecond(), 1e-9);
        assertEquals(181.2, back.p50Micros(), 0.11);
        assertEquals(Map.of("b0", 2123L, "b1", 2000L), back.backends());
        assertEquals(3, back.refused());
        assertEquals(1, back.timeouts());
        assertEquals(2, back.errors());
    }

    @Test
    void emptySpreadAndZeroSeconds() throws IOException {
        ConnectionRateResult r = ConnectionRateResult.parse(new ConnectionRateResult(0, 0, 0, 0, 5, 0, 0, Map.of()).format());
        assertEquals(Map.of(), r.backends());
        assertEquals(0, r.perSecond());
    }

    @Test
    void badOutputIsAPreciseError() {
        assertTrue(assertThrows(IOException.class, () -> ConnectionRateResult.parse("Exception in thread main"))
                .getMessage().contains("no 'connrate' line"));
        assertTrue(assertThrows(IOException.class, () -> ConnectionRateResult.parse("connrate ok=x seconds=1 p50_us=1 "
                + "p99_us=1 refused=0 timeouts=0 errors=0 backends=")).getMessage().contains("bad number"));
        assertTrue(assertThrows(IOException.class, () -> ConnectionRateResult.parse("connrate ok=1"))
                .getMessage().contains("has no 'seconds'"));
    }

    @Test
    void targetsParseIpv4AndBracketedIpv6() {
        assertEquals(80, ShortConnectionClient.parseTarget("10.96.0.10:80").getPort());
        assertEquals("fd00:96:0:0:0:0:0:a", ShortConnectionClient.parseTarget("[fd00:96::a]:80").getAddress().getHostAddress());
        assertThrows(IllegalArgumentException.class, () -> ShortConnectionClient.parseTarget("10.96.0.10"));
    }
}
