package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Test helper: the golden nf_tables datagrams in {@code nft/NAME.hex} (what nft sent for
 * {@code nft/NAME.nft}, captured by {@code nft/capture.sh}) and a message-by-message comparison.
 */
public final class NftGolden {
    private NftGolden() {
    }

    /** The golden datagram of {@code nft/NAME.hex}. */
    public static byte[] golden(String name) throws IOException {
        try (InputStream in = NftGolden.class.getResourceAsStream("nft/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource nft/" + name + ".hex");
            }
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.startsWith("#")) {
                    hex.append(line.replace(" ", ""));
                }
            }
            return HexFormat.of().parseHex(hex);
        }
    }

    /** Compares message by message, so a difference names the message, its change and the offset in it. */
    public static void assertSameMessages(String name, NftBatch batch) throws IOException {
        List<byte[]> expected = messages(golden(name));
        List<byte[]> actual = messages(batch.bytes());
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            byte[] e = expected.get(i);
            byte[] a = actual.get(i);
            int at = Arrays.mismatch(e, a);
            if (at >= 0) {
                String what = i == 0 ? "BATCH_BEGIN" : batch.describe(i);
                fail(name + ": message " + i + " (" + what + ") differs at byte " + at + "\n  nft:       "
                        + HexFormat.ofDelimiter(" ").formatHex(e) + "\n  podswitch: " + HexFormat.ofDelimiter(" ").formatHex(a));
            }
        }
        assertEquals(expected.size(), actual.size(), name + ": number of messages");
        assertTrue(expected.size() >= 3);
    }

    /** The netlink messages of one datagram. */
    public static List<byte[]> messages(byte[] datagram) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at + 16 <= datagram.length) {
            int length = b.getInt(at);
            out.add(Arrays.copyOfRange(datagram, at, at + length));
            at += (length + 3) & ~3;
        }
        assertEquals(datagram.length, at, "the datagram is whole messages");
        return out;
    }
}
