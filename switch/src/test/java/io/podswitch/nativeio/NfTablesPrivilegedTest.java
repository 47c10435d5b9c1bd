package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetnsFixture.quietly;
import static io.podswitch.nativeio.NetnsFixture.run;
import static io.podswitch.nativeio.NftBatchGoldenTest.set4;
import static io.podswitch.nativeio.NftLayouts.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link NfTables} against the real kernel, in a throwaway network namespace: what it commits is what
 * {@code nft} and {@code iptables} then list, a refused batch changes nothing, dumps read back chains
 * (hook, priority, policy) and rules (handle, comment).
 */
@Tag("privileged")
class NfTablesPrivilegedTest {
    private final String ns = "psnf" + NetnsFixture.suffix();
    private NfTables nft;

    @BeforeEach
    void createNamespace() {
        run("ip", "netns", "add", ns);
        nft = Netns.call(ns, NfTables::open);
    }

    @AfterEach
    void deleteNamespace() {
        if (nft != null) {
            nft.close();
        }
        quietly("ip", "netns", "del", ns);
    }

    private String nftCli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** A small NAT table: a set, a regular chain with a masquerade rule, a base chain jumping to it. */
    private void commitTable(String... masqueradedFrom) {
        try (NftBatch batch = nft.batch()) {
            batch.deleteTableIfExists(NFPROTO_INET, "pst").addTable(NFPROTO_INET, "pst");
            batch.addChain(NftChain.regular(NFPROTO_INET, "pst", "masq"));
            batch.addChain(NftChain.base(NFPROTO_INET, "pst", "post", "nat", NF_INET_POST_ROUTING, NF_PRIORITY_SRCNAT, NF_ACCEPT));
            batch.addSet(NFPROTO_INET, "pst", set4("from", masqueradedFrom));
            batch.addRule(NFPROTO_INET, "pst", "masq", List.of(new NftExpression.Counter(),
                    new NftExpression.Masquerade(NF_NAT_RANGE_PROTO_RANDOM_FULLY, 0, 0)), null);
            List<NftExpression> jump = new ArrayList<>(NftExpression.nfproto(NFPROTO_IPV4));
            jump.addAll(NftExpression.addressInSet(false, true, "from", false));
            jump.add(new NftExpression.Verdict(NFT_JUMP, "masq"));
            batch.addRule(NFPROTO_INET, "pst", "post", jump, "test jump");
            nft.commit(batch);
        }
    }

    @Test
    void aCommittedTableIsWhatNftListsAndItsListingLoadsBack() throws Exception {
        assertFalse(nft.tableExists(NFPROTO_INET, "pst"));
        commitTable("10.244.0.0/16", "10.245.0.0/16", "10.1.0.0/16");
        assertTrue(nft.tableExists(NFPROTO_INET, "pst"));
        String listing = nftCli("list", "table", "inet", "pst");
        assertTrue(listing.contains("elements = { 10.1.0.0/16, 10.244.0.0/15 }"), "merged, sorted: " + listing);
        assertTrue(listing.contains("type nat hook postrouting priority srcnat; policy accept;"), listing);
        assertTrue(listing.contains("ip saddr @from jump masq comment \"test jump\""), listing);
        assertTrue(listing.contains("counter packets 0 bytes 0 masquerade fully-random"), listing);

        // what `nft list ruleset` prints (an operator's backup) loads back
        Path saved = Files.createTempFile("nft-ruleset", ".nft");
        try {
            Files.writeString(saved, nftCli("list", "ruleset"));
            nftCli("flush", "ruleset");
            nftCli("-f", saved.toString());
            assertEquals(listing, nftCli("list", "table", "inet", "pst"));
        } finally {
            Files.deleteIfExists(saved);
        }

        List<NftChain> chains = nft.chains(NFPROTO_UNSPEC);
        NftChain post = chains.stream().filter(c -> c.name().equals("post")).findFirst().orElseThrow();
        assertEquals(new NftChain(NFPROTO_INET, "pst", "post", "nat", NF_INET_POST_ROUTING, NF_PRIORITY_SRCNAT, NF_ACCEPT), post);
        assertTrue(chains.stream().anyMatch(c -> c.name().equals("masq") && !c.isBase()), chains.toString());
        List<NftRuleEntry> rules = nft.rules(NFPROTO_INET, "pst", "post");
        assertEquals(1, rules.size(), rules.toString());
        assertEquals("test jump", rules.getFirst().comment());
        assertTrue(rules.getFirst().handle() > 0);
    }

    @Test
    void replacingIsAtomicAndARefusedBatchChangesNothing() {
        commitTable("10.244.0.0/16");
        commitTable("10.99.0.0/16"); // add + delete + create in one transaction
        String listing = nftCli("list", "ruleset");
        assertTrue(listing.contains("elements = { 10.99.0.0/16 }") && !listing.contains("10.244.0.0"), listing);
        assertEquals(1, listing.lines().filter(l -> l.startsWith("table ")).count(), listing);

        NativeException refused;
        try (NftBatch batch = nft.batch()) {
            batch.deleteTableIfExists(NFPROTO_INET, "pst").addTable(NFPROTO_INET, "pst");
            batch.addRule(NFPROTO_INET, "pst", "no-such-chain", List.of(new NftExpression.Counter()), null);
            refused = assertThrows(NativeException.class, () -> nft.commit(batch));
        }
        assertEquals(Errno.ENOENT, refused.errno(), refused.getMessage());
        assertTrue(refused.getMessage().contains("add rule inet pst no-such-chain"), refused.getMessage());
        assertEquals(listing, nftCli("list", "ruleset"), "the delete in the refused batch did not happen either");

        try (NftBatch batch = nft.batch()) {
            nft.commit(batch.deleteTableIfExists(NFPROTO_INET, "pst"));
        }
        assertFalse(nft.tableExists(NFPROTO_INET, "pst"));
        try (NftBatch batch = nft.batch()) {
            nft.commit(batch.deleteTableIfExists(NFPROTO_INET, "pst")); // absent: still fine
        }
    }

    @Test
    void rulesInsertedIntoIptablesForwardAreIptablesRules() {
        run("ip", "netns", "exec", ns, "iptables", "-P", "FORWARD", "DROP");
        run("ip", "netns", "exec", ns, "iptables", "-A", "FORWARD", "-s", "192.0.2.1", "-j", "ACCEPT");
        NftChain forward = nft.chains(NFPROTO_IPV4).stream().filter(c -> c.hook() == NF_INET_FORWARD).findFirst().orElseThrow();
        assertEquals(new NftChain(NFPROTO_IPV4, "filter", "FORWARD", "filter", NF_INET_FORWARD, 0, NF_DROP), forward);
        try (NftBatch batch = nft.batch()) {
            for (int key : new int[] {NFT_META_OIFNAME, NFT_META_IIFNAME}) {
                List<NftExpression> rule = new ArrayList<>(NftExpression.interfaceName(key, "psw0"));
                rule.add(new NftExpression.Verdict(NF_ACCEPT, null));
                batch.insertRule(NFPROTO_IPV4, "filter", "FORWARD", rule, "podswitch test " + key);
            }
            nft.commit(batch);
        }
        List<String> iptables = run("ip", "netns", "exec", ns, "iptables", "-S", "FORWARD").lines().toList();
        assertEquals(List.of("-P FORWARD DROP",
                "-A FORWARD -i psw0 -m comment --comment \"podswitch test 6\" -j ACCEPT",
                "-A FORWARD -o psw0 -m comment --comment \"podswitch test 7\" -j ACCEPT",
                "-A FORWARD -s 192.0.2.1/32 -j ACCEPT"), iptables);
        List<NftRuleEntry> rules = nft.rules(NFPROTO_IPV4, "filter", "FORWARD");
        assertEquals(3, rules.size(), rules.toString());
        assertEquals("podswitch test 6", rules.get(0).comment());
        assertEquals(null, rules.get(2).comment());
        try (NftBatch batch = nft.batch()) {
            batch.deleteRule(NFPROTO_IPV4, "filter", "FORWARD", rules.get(0).handle());
            batch.deleteRule(NFPROTO_IPV4, "filter", "FORWARD", rules.get(1).handle());
            nft.commit(batch);
        }
        assertEquals(List.of("-P FORWARD DROP", "-A FORWARD -s 192.0.2.1/32 -j ACCEPT"),
                run("ip", "netns", "exec", ns, "iptables", "-S", "FORWARD").lines().toList());
    }
}
