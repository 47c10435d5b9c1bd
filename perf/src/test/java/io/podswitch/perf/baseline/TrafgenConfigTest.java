package io.podswitch.perf.baseline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafgenConfigTest {

    /** Bytes the config describes: literal bytes, c16() = 2, csumip() = 2, fill(x, n) = n. */
    static int frameBytes(String config) {
        String body = config.substring(config.indexOf('{') + 1, config.lastIndexOf('}'));
        int bytes = 0;
        Matcher fill = Pattern.compile("fill\\(0x00, (\\d+)\\)").matcher(body);
        while (fill.find()) {
            bytes += Integer.parseInt(fill.group(1));
        }
        body = body.replaceAll("fill\\([^)]*\\)", "").replaceAll("csumip\\([^)]*\\)", "CS")
                .replaceAll("c16\\([^)]*\\)", "CS");
        for (String token : body.split("[,\\s]+")) {
            if (token.isBlank()) {
                continue;
            }
            bytes += token.equals("CS") ? 2 : 1;
        }
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 128, 256, 512, 1024, 1500})
    void frameIsTheWireSizeWithoutFcs(int size) {
        String c = TrafgenConfig.udp(size, "02:00:00:00:00:01", "0a:0b:0c:0d:0e:0f", "10.0.0.1", "10.0.1.2", 40000, 9);
        assertEquals(size - 4, frameBytes(c), c);
        assertTrue(c.contains("c16(" + (size - 18) + ")"), "IPv4 total length");
        assertTrue(c.contains("c16(" + (size - 38) + ")"), "UDP length");
    }

    @Test
    void addressesAreWrittenAsBytes() {
        String c = TrafgenConfig.udp(64, "02:00:00:00:00:01", "0a:0b:0c:0d:0e:ff", "10.0.0.1", "192.168.1.2", 1, 2);
        assertTrue(c.contains("0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff"), c);
        assertTrue(c.contains("192, 168, 1, 2"), c);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TrafgenConfig.udp(63, "02:00:00:00:00:01",
                "02:00:00:00:00:02", "1.1.1.1", "2.2.2.2", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> TrafgenConfig.udp(64, "02:00:00:00:01",
                "02:00:00:00:00:02", "1.1.1.1", "2.2.2.2", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> TrafgenConfig.udp(64, "02:00:00:00:00:01",
                "02:00:00:00:00:02", "1.1.1.256", "2.2.2.2", 1, 2));
    }
}
