package io.podswitch.perf.kubeproxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * kube-proxy's chain names: base32 of the SHA-256 of the service port name (and endpoint),
 * truncated. iptables mode: {@code KUBE-SVC-} + 16 characters of hash("ns/svc:port" + "tcp"), and
 * {@code KUBE-SEP-} + 16 of hash("ns/svc:port" + "tcp" + "ip:port"). nftables mode:
 * {@code service-} + 8 of hash(base) + "-" + base with base "ns/svc/tcp/port", and
 * {@code endpoint-} likewise with base "ns/svc/tcp/port__ip/port". The tests pin the values of
 * kube-proxy's own unit tests ({@code KUBE-SVC-XPGD46QRK7WJZT7O}, {@code service-ULMVA6XW-...}).
 */
public final class ChainNames {

    private ChainNames() {
    }

    public static String iptablesService(ServicePort s) {
        return "KUBE-SVC-" + hash(s.servicePortName() + s.protocol(), 16);
    }

    public static String iptablesEndpoint(ServicePort s, String endpoint) {
        return "KUBE-SEP-" + hash(s.servicePortName() + s.protocol() + endpoint, 16);
    }

    public static String nftService(ServicePort s) {
        String base = nftBase(s);
        return "service-" + hash(base, 8) + "-" + base;
    }

    public static String nftEndpoint(ServicePort s, String endpoint) {
        String base = nftBase(s) + "__" + ServicePort.endpointIp(endpoint) + "/" + ServicePort.endpointPort(endpoint);
        return "endpoint-" + hash(base, 8) + "-" + base;
    }

    private static String nftBase(ServicePort s) {
        return s.namespace() + "/" + s.name() + "/" + s.protocol() + "/" + s.portName();
    }

    /** The first {@code length} characters of the standard base32 encoding of SHA-256(text). */
    static String hash(String text, int length) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        StringBuilder out = new StringBuilder();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        int buffer = 0;
        int bits = 0;
        for (byte b : digest) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < length) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        return out.toString();
    }
}
