package io.podswitch.daemon.pod;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stable MACs for pods that did not ask for one: the same attachment (container ID, interface name)
 * always gets the same MAC, so a restarted daemon or a re-run ADD gives the pod its old MAC back
 * and neighbours' ARP caches stay right.
 *
 * <pre>
 *   SHA-256(containerID "/" ifName) → first 6 bytes, then byte 0: multicast bit cleared,
 *   locally-administered bit set  (x2:, x6:, xa:, xe: ...)
 * </pre>
 */
public final class PodMacs {
    private PodMacs() {
    }

    public static long derive(String containerId, String ifName) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest((containerId + "/" + ifName).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (digest[i] & 0xff);
        }
        long first = ((mac >>> 40) & 0xfe) | 0x02;
        return (mac & 0xff_ffff_ffffL) | first << 40;
    }
}
