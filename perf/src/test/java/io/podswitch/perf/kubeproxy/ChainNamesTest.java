package io.podswitch.perf.kubeproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The chain names kube-proxy's own unit tests expect for service ns1/svc1 port p80, endpoint 10.180.0.1:80. */
class ChainNamesTest {

    private static final ServicePort SVC1 = new ServicePort("ns1", "svc1", "p80", "tcp", "172.30.0.41", 80,
            List.of("10.180.0.1:80"));

    @Test
    void iptablesModeNames() {
        assertEquals("KUBE-SVC-XPGD46QRK7WJZT7O", ChainNames.iptablesService(SVC1));
        assertEquals("KUBE-SEP-SXIVWICOYRO3J4NJ", ChainNames.iptablesEndpoint(SVC1, "10.180.0.1:80"));
    }

    @Test
    void nftablesModeNames() {
        assertEquals("service-ULMVA6XW-ns1/svc1/tcp/p80", ChainNames.nftService(SVC1));
        assertEquals("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80", ChainNames.nftEndpoint(SVC1, "10.180.0.1:80"));
    }

    @Test
    void base32OfSha256() {
        // RFC 4648 alphabet, SHA-256("") = e3b0c442...; base32 starts 4OYMIQUY
        assertEquals("4OYMIQUY", ChainNames.hash("", 8));
    }
}
