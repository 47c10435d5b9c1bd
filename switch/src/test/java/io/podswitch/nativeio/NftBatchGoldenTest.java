package io.podswitch.nativeio;

import static io.podswitch.nativeio.NftLayouts.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.bpf.IpPrefix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nf_tables encoder against the bytes nft itself sends. Each {@code nft/NAME.hex} is the one
 * datagram {@code nft -f nft/NAME.nft} sent to the kernel, captured with strace ({@code nft/capture.sh},
 * nft 1.0.6 on Debian 12); {@link NftBatch} builds the same ruleset and must produce the same messages,
 * byte for byte (sequence numbers included: both start at 0). nft asks for no ACKs, so the batches here
 * are built without them; {@link #podswitchBatchesAskForAnAckOfEveryChange} covers the one difference.
 */
class NftBatchGoldenTest {

    @Test
    void theMasqueradeTableIsEncodedAsNftEncodesIt() throws IOException {
        try (NftBatch batch = new NftBatch(0, false)) {
            batch.deleteTableIfExists(NFPROTO_INET, "podswitch").addTable(NFPROTO_INET, "podswitch");
            batch.addChain(NftChain.regular(NFPROTO_INET, "podswitch", "masquerade-pods"));
            batch.addChain(NftChain.base(NFPROTO_INET, "podswitch", "postrouting", "nat", NF_INET_POST_ROUTING,
                    NF_PRIORITY_SRCNAT, NF_ACCEPT));
            batch.addSet(NFPROTO_INET, "podswitch", set4("pod-cidrs-v4", "10.244.0.0/16"));
            batch.addSet(NFPROTO_INET, "podswitch", set4("no-masquerade-v4", "10.96.0.0/16", "10.244.0.0/16", "192.168.100.0/24"));
            batch.addSet(NFPROTO_INET, "podswitch", set6("pod-cidrs-v6", "fd00:10:244::/56"));
            batch.addSet(NFPROTO_INET, "podswitch", set6("no-masquerade-v6", "fd00:10:96::/112", "fd00:10:244::/56",
                    "fd00:192:168:100::/64"));
            for (int protocol : new int[] {IPPROTO_TCP, IPPROTO_UDP}) {
                List<NftExpression> rule = new ArrayList<>(NftExpression.l4proto(protocol));
                rule.add(new NftExpression.Counter());
                rule.add(new NftExpression.Immediate(NFT_REG_1, new byte[] {(byte) 0x80, 0}));
                rule.add(new NftExpression.Immediate(NFT_REG_2, new byte[] {(byte) 0xff, (byte) 0xff}));
                rule.add(new NftExpression.Masquerade(NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY,
                        NFT_REG_1, NFT_REG_2));
                batch.addRule(NFPROTO_INET, "podswitch", "masquerade-pods", rule, null);
            }
            batch.addRule(NFPROTO_INET, "podswitch", "masquerade-pods", List.of(new NftExpression.Counter(),
                    new NftExpression.Masquerade(NF_NAT_RANGE_PROTO_RANDOM_FULLY, 0, 0)), null);
            for (boolean ipv6 : new boolean[] {false, true}) {
                String v = ipv6 ? "v6" : "v4";
                List<NftExpression> rule = new ArrayList<>(NftExpression.nfproto(ipv6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
                rule.addAll(NftExpression.addressInSet(ipv6, true, "pod-cidrs-" + v, false));
                rule.addAll(NftExpression.addressInSet(ipv6, false, "no-masquerade-" + v, true));
                rule.add(new NftExpression.Verdict(NFT_JUMP, "masquerade-pods"));
                batch.addRule(NFPROTO_INET, "podswitch", "postrouting", rule, "pods to outside the cluster");
            }
            NftGolden.assertSameMessages("masquerade", batch);
        }
    }

    @Test
    void intervalSetsAreEncodedAsNftEncodesThem() throws IOException {
        try (NftBatch batch = new NftBatch(0, false)) {
            batch.addTable(NFPROTO_INET, "t");
            batch.addSet(NFPROTO_INET, "t", set4("all4", "0.0.0.0/0"));
            batch.addSet(NFPROTO_INET, "t", set4("top4", "128.0.0.0/1"));
            batch.addSet(NFPROTO_INET, "t", set4("bottom4", "0.0.0.0/1"));
            // given out of order: the encoder sorts
            batch.addSet(NFPROTO_INET, "t", set4("some4", "192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12"));
            batch.addSet(NFPROTO_INET, "t", set4("empty4"));
            batch.addSet(NFPROTO_INET, "t", set6("all6", "::/0"));
            batch.addSet(NFPROTO_INET, "t", set6("some6", "2001:db8::/32", "fd00::/8"));
            NftGolden.assertSameMessages("intervals", batch);
        }
    }

    @Test
    void forwardAcceptRulesAreEncodedAsNftEncodesThem() throws IOException {
        try (NftBatch batch = new NftBatch(0, false)) {
            batch.addTable(NFPROTO_IPV4, "filter");
            batch.addChain(NftChain.base(NFPROTO_IPV4, "filter", "FORWARD", "filter", NF_INET_FORWARD, 0, NF_DROP));
            batch.insertRule(NFPROTO_IPV4, "filter", "FORWARD", accept(NFT_META_OIFNAME), "podswitch: replies to pods");
            batch.insertRule(NFPROTO_IPV4, "filter", "FORWARD", accept(NFT_META_IIFNAME), "podswitch: pods to the outside");
            NftGolden.assertSameMessages("forward-accept", batch);
        }
        try (NftBatch batch = new NftBatch(0, false)) {
            batch.deleteRule(NFPROTO_IPV4, "filter", "FORWARD", 3);
            NftGolden.assertSameMessages("delete-rule", batch);
        }
    }

    @Test
    void podswitchBatchesAskForAnAckOfEveryChange() {
        try (NftBatch batch = new NftBatch(100, true)) {
            batch.deleteTableIfExists(NFPROTO_INET, "podswitch");
            List<byte[]> messages = NftGolden.messages(batch.bytes());
            assertEquals(4, messages.size());
            assertEquals(NetlinkLayouts.NLM_F_REQUEST, flags(messages.get(0)), "BATCH_BEGIN");
            assertEquals(NetlinkLayouts.NLM_F_REQUEST | NetlinkLayouts.NLM_F_ACK, flags(messages.get(1)), "NEWTABLE");
            assertEquals(NetlinkLayouts.NLM_F_REQUEST | NetlinkLayouts.NLM_F_ACK, flags(messages.get(2)), "DELTABLE");
            assertEquals(NetlinkLayouts.NLM_F_REQUEST, flags(messages.get(3)), "BATCH_END");
            for (int i = 0; i < 4; i++) {
                assertEquals(100 + i, ByteBuffer.wrap(messages.get(i)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
            }
            assertEquals("delete table inet podswitch", batch.describe(102));
            assertEquals(null, batch.describe(103), "BATCH_END is not a change");
        }
    }

    @Test
    void nonsenseIsRefusedBeforeAnythingIsSent() {
        try (NftBatch batch = new NftBatch(0, false)) {
            assertThrows(IllegalArgumentException.class, () -> NftExpression.interfaceName(NFT_META_IIFNAME, "a-very-long-name0"));
            assertThrows(IllegalArgumentException.class, () -> batch.addRule(NFPROTO_INET, "t", "c", List.of(), "x".repeat(255)));
            assertThrows(IllegalArgumentException.class, () -> new NftSet("s", true, List.of(IpPrefix.parse("10.0.0.0/8"))));
            batch.bytes();
            assertThrows(IllegalStateException.class, () -> batch.addTable(NFPROTO_INET, "late"));
        }
    }

    private static List<NftExpression> accept(int metaKey) {
        List<NftExpression> rule = new ArrayList<>(NftExpression.interfaceName(metaKey, "podswitch0"));
        rule.add(new NftExpression.Counter());
        rule.add(new NftExpression.Verdict(NF_ACCEPT, null));
        return rule;
    }

    public static NftSet set4(String name, String... prefixes) {
        return new NftSet(name, false, List.of(prefixes).stream().map(IpPrefix::parse).toList());
    }

    public static NftSet set6(String name, String... prefixes) {
        return new NftSet(name, true, List.of(prefixes).stream().map(IpPrefix::parse).toList());
    }

    private static int flags(byte[] message) {
        return ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getShort(6) & 0xffff;
    }
}
