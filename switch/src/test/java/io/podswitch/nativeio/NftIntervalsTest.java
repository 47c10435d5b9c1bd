package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podswitch.nativeio.bpf.IpPrefix;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prefixes → interval set elements: sorted, overlaps and neighbours merged, the ends as nft writes them. */
class NftIntervalsTest {

    private static List<String> elements(int keyLength, String... prefixes) {
        return NftIntervals.of(List.of(prefixes).stream().map(IpPrefix::parse).toList(), keyLength).stream()
                .map(e -> HexFormat.of().formatHex(e.key()) + (e.intervalEnd() ? " end" : "") + (e.open() ? " open" : ""))
                .toList();
    }

    @Test
    void overlappingAndNeighbouringPrefixesBecomeOneRange() {
        assertEquals(List.of("00000000 end", "0a000000", "0b000000 end"),
                elements(4, "10.244.0.0/16", "10.0.0.0/8", "10.96.0.0/12"), "contained");
        assertEquals(List.of("00000000 end", "0a000000", "0c000000 end"),
                elements(4, "11.0.0.0/8", "10.0.0.0/8"), "neighbours, given out of order");
        assertEquals(List.of("00000000 end", "0a000000", "0a000001 end", "0a000002", "0a000003 end"),
                elements(4, "10.0.0.2/32", "10.0.0.0/32"), "a gap stays a gap");
    }

    @Test
    void theEndsOfTheKeySpace() {
        assertEquals(List.of("00000000", "80000000 end"), elements(4, "0.0.0.0/1"));
        assertEquals(List.of("00000000 end", "80000000 open"), elements(4, "128.0.0.0/1"));
        assertEquals(List.of("00000000 open"), elements(4, "0.0.0.0/0", "10.0.0.0/8"));
        assertEquals(List.of("00000000000000000000000000000000 end", "fd000000000000000000000000000000",
                "fe000000000000000000000000000000 end"), elements(16, "fd00::/8", "fd00:10:244::/56"));
        assertEquals(List.of(), elements(4));
    }
}
