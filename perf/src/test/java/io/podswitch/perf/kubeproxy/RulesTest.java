package io.podswitch.perf.kubeproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesTest {

    private static final ServicePort WEB = ServicePort.tcp("web", "http", "10.96.0.10", 80,
            List.of("10.244.0.3:8080", "10.244.0.4:8080", "10.244.0.5:8080"));
    private static final ServicePort EMPTY = ServicePort.tcp("empty", "http", "10.96.0.12", 80, List.of());

    private static List<String> lines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).toList();
    }

    @Test
    void iptablesPicksEndpointsWithDecreasingProbabilitiesThenDnats() {
        String rules = IptablesRules.restoreInput(List.of(WEB, EMPTY), "10.244.0.0/16");
        String svc = ChainNames.iptablesService(WEB);
        List<String> jumps = lines(rules, "-A " + svc + " ").stream().filter(l -> l.contains("KUBE-SEP-")).toList();
        assertEquals(3, jumps.size(), rules);
        assertTrue(jumps.get(0).contains("-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-"), jumps.get(0));
        assertTrue(jumps.get(1).contains("--probability 0.5000000000 -j KUBE-SEP-"), jumps.get(1));
        assertFalse(jumps.get(2).contains("statistic"), jumps.get(2));
        String sep = ChainNames.iptablesEndpoint(WEB, "10.244.0.4:8080");
        assertTrue(rules.contains("-A " + sep + " -m comment --comment default/web:http -s 10.244.0.4/32 -j KUBE-MARK-MASQ\n"), rules);
        assertTrue(rules.contains("-A " + sep + " -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.4:8080\n"));
        assertTrue(rules.contains("-A " + svc + " -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.0.10/32 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ\n"));
        assertTrue(rules.contains("-A KUBE-SERVICES -m comment --comment \"default/empty:http has no endpoints\" -m tcp -p tcp -d 10.96.0.12/32 --dport 80 -j REJECT\n"));
        assertTrue(rules.contains("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n"));
        List<String> services = lines(rules, "-A KUBE-SERVICES ").stream().filter(l -> rules.indexOf(l) > rules.indexOf("*nat")).toList();
        assertTrue(services.getLast().contains("--dst-type LOCAL -j KUBE-NODEPORTS"), "nodeports last: " + services);
        assertEquals(2, lines(rules, "COMMIT").size());
    }

    @Test
    void nftablesPicksEndpointsWithNumgen() {
        String script = NftablesRules.script(List.of(WEB, EMPTY), "10.244.0.0/16", "10.96.0.0/16");
        String svc = ChainNames.nftService(WEB);
        assertTrue(script.contains("add rule ip kube-proxy " + svc + " numgen random mod 3 vmap { 0 : goto "
                + ChainNames.nftEndpoint(WEB, "10.244.0.3:8080") + " , 1 : goto "), script);
        assertTrue(script.contains("add element ip kube-proxy service-ips { 10.96.0.10 . tcp . 80 : goto " + svc + " }"));
        assertTrue(script.contains("add rule ip kube-proxy " + ChainNames.nftEndpoint(WEB, "10.244.0.5:8080")
                + " meta l4proto tcp dnat to 10.244.0.5:8080"));
        assertTrue(script.contains("add element ip kube-proxy no-endpoint-services { 10.96.0.12 . tcp . 80 : goto reject-chain }"));
        assertTrue(script.contains("ip saddr != 10.244.0.0/16 jump mark-for-masquerade"));
    }

    @Test
    void ipvsBindsVipsAndAddsRealServersInNatMode() {
        List<List<String>> c = IpvsRules.commands(List.of(WEB, EMPTY));
        assertEquals(List.of("ip", "link", "add", "kube-ipvs0", "type", "dummy"), c.getFirst());
        assertTrue(c.contains(List.of("ip", "addr", "add", "10.96.0.12/32", "dev", "kube-ipvs0")));
        assertTrue(c.contains(List.of("ipvsadm", "-A", "-t", "10.96.0.10:80", "-s", "rr")));
        assertTrue(c.contains(List.of("ipvsadm", "-a", "-t", "10.96.0.10:80", "-r", "10.244.0.5:8080", "-m", "-w", "1")));
        assertEquals(1 + 2 + 1 + 3, c.size());
        assertTrue(IpvsRules.hairpinRestoreInput(List.of(WEB)).contains("-s 10.244.0.3/32 -d 10.244.0.3/32 -p tcp -m tcp --dport 8080 -j MASQUERADE"));
    }

    @Test
    void badServicePortsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServicePort.tcp("a", "b", "10.96.0.1", 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ServicePort.tcp("a", "b", "10.96.0.1", 80, List.of("10.0.0.1")));
        assertThrows(IllegalArgumentException.class,
                () -> new ServicePort("d", "a", "b", "sctp", "10.96.0.1", 80, List.of()));
    }
}
