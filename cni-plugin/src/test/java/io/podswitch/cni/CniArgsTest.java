package io.podswitch.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CniArgsTest {
    @Test
    void parsesKnownKeys() {
        CniArgs a = CniArgs.parse("K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns-1;IP=10.1.2.3/24,fd00::3;"
                + "MAC=02:00:00:00:00:03;K8S_POD_UID=abc;K8S_POD_INFRA_CONTAINER_ID=def");
        assertEquals(List.of("10.1.2.3/24", "fd00::3"), a.ips());
        assertEquals("02:00:00:00:00:03", a.mac());
        assertEquals(Map.of("K8S_POD_NAMESPACE", "kube-system", "K8S_POD_NAME", "coredns-1", "K8S_POD_UID", "abc",
                "K8S_POD_INFRA_CONTAINER_ID", "def"), a.identity());
    }

    @Test
    void emptyIsNone() {
        assertEquals(CniArgs.NONE, CniArgs.parse(null));
        assertEquals(CniArgs.NONE, CniArgs.parse(""));
        assertNull(CniArgs.parse("IgnoreUnknown=true").mac());
    }

    @Test
    void unknownKeysNeedIgnoreUnknown() {
        CniException e = assertThrows(CniException.class, () -> CniArgs.parse("FOO=1;BAR=2"));
        assertEquals(4, e.code());
        assertTrue(e.details().contains("FOO, BAR"), e.details());
        assertTrue(CniArgs.parse("IgnoreUnknown=1;FOO=1").identity().isEmpty());
        assertTrue(CniArgs.parse("FOO=1;IgnoreUnknown=True").identity().isEmpty(), "order does not matter");
        assertEquals(4, assertThrows(CniException.class, () -> CniArgs.parse("IgnoreUnknown=0;FOO=1")).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOEQUALS", "=value", "A=b=c", "IP=10.0.0.256", "IP=10.0.0.1/33", "IP=", "MAC=zz:00:00:00:00:00",
            "MAC=01:00:5e:00:00:01", "IgnoreUnknown=maybe", "K8S_POD_NAME=a;K8S_POD_NAME=b"})
    void malformedArgsAreError4(String args) {
        assertEquals(4, assertThrows(CniException.class, () -> CniArgs.parse(args)).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0/0", "255.255.255.255/32", "::", "::1", "fd00::5/64", "1:2:3:4:5:6:7:8",
            "1::8", "1:2:3:4:5:6:7::", "::ffff:10.1.2.3", "64:ff9b::192.0.2.33/96", "FD00:ABCD::1"})
    void validAddresses(String s) {
        assertTrue(AddressSyntax.isIpOrCidr(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.01", "10.0.0.1/", "10.0.0.1/-1", "1:2:3:4:5:6:7:8:9", "1::2::3",
            ":1", "1:", "12345::", "fe80::1%eth0", "::/129", "host.example", "1:2:3:4:5:6:7:8::", "::1.2.3"})
    void invalidAddresses(String s) {
        assertFalse(AddressSyntax.isIpOrCidr(s), s);
    }
}
