package io.podswitch.nativeio;

import static io.podswitch.nativeio.NftLayouts.IFNAMSIZ;
import static io.podswitch.nativeio.NftLayouts.NFT_CMP_EQ;
import static io.podswitch.nativeio.NftLayouts.NFT_META_NFPROTO;
import static io.podswitch.nativeio.NftLayouts.NFT_PAYLOAD_NETWORK_HEADER;
import static io.podswitch.nativeio.NftLayouts.NFT_REG_1;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One nf_tables expression of a rule, as the kernel's VM runs it: loads into registers, compares,
 * looks up, sets a verdict. A rule is a list of them; the first that does not match ends the rule.
 * These are plain values; {@link NftBatch} encodes them (NFTA_EXPR_NAME + NFTA_EXPR_DATA) in the
 * attribute order nft uses, so {@code nft --debug=netlink} and podswitch send the same bytes.
 */
public sealed interface NftExpression {

    /** The expression's kernel name ("meta", "cmp", ...). */
    String name();

    /** {@code meta load KEY => reg DREG} (NFT_META_*: nfproto, l4proto, iifname, oifname). */
    record Meta(int key, int destinationRegister) implements NftExpression {
        public String name() {
            return "meta";
        }
    }

    /** {@code cmp OP reg SREG DATA}: compares the register's first {@code data.length} bytes. */
    record Cmp(int sourceRegister, int op, byte[] data) implements NftExpression {
        public Cmp {
            data = data.clone();
        }

        public String name() {
            return "cmp";
        }
    }

    /** {@code payload load LEN b @ BASE header + OFFSET => reg DREG}. */
    record Payload(int base, int offset, int length, int destinationRegister) implements NftExpression {
        public String name() {
            return "payload";
        }
    }

    /**
     * {@code lookup reg SREG set SET} (or not in it, {@code inverted}); a set made in the same batch is
     * also named by its batch id, as nft does.
     */
    record Lookup(String set, int sourceRegister, boolean inverted) implements NftExpression {
        public String name() {
            return "lookup";
        }
    }

    /** {@code immediate reg DREG DATA}: raw bytes into a data register. */
    record Immediate(int destinationRegister, byte[] data) implements NftExpression {
        public Immediate {
            data = data.clone();
        }

        public String name() {
            return "immediate";
        }
    }

    /** {@code immediate reg 0 VERDICT [CHAIN]}: accept, drop, or jump to a chain (chain null otherwise). */
    record Verdict(int code, String chain) implements NftExpression {
        public String name() {
            return "immediate";
        }
    }

    /**
     * {@code masq [proto_min reg MIN proto_max reg MAX] flags F}: source NAT to the address of the
     * outgoing interface (NF_NAT_RANGE_* flags; registers 0 when no port range is given).
     */
    record Masquerade(int flags, int protoMinRegister, int protoMaxRegister) implements NftExpression {
        public String name() {
            return "masq";
        }
    }

    /** {@code counter}: packets and bytes that reached it ({@code nft list} shows them). */
    record Counter() implements NftExpression {
        public String name() {
            return "counter";
        }
    }

    // ---------------------------------------------------------------- the matches nft writes

    /** {@code meta nfproto FAMILY} — what nft puts before {@code ip saddr} in an {@code inet} table. */
    static List<NftExpression> nfproto(int family) {
        return List.of(new Meta(NFT_META_NFPROTO, NFT_REG_1), new Cmp(NFT_REG_1, NFT_CMP_EQ, new byte[] {(byte) family}));
    }

    /** {@code meta l4proto PROTOCOL}. */
    static List<NftExpression> l4proto(int protocol) {
        return List.of(new Meta(NftLayouts.NFT_META_L4PROTO, NFT_REG_1),
                new Cmp(NFT_REG_1, NFT_CMP_EQ, new byte[] {(byte) protocol}));
    }

    /** {@code iifname NAME} / {@code oifname NAME} (NFT_META_IIFNAME/OIFNAME): exact name, IFNAMSIZ bytes. */
    static List<NftExpression> interfaceName(int metaKey, String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        if (text.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface names are at most 15 bytes: " + name);
        }
        byte[] padded = new byte[IFNAMSIZ];
        System.arraycopy(text, 0, padded, 0, text.length);
        return List.of(new Meta(metaKey, NFT_REG_1), new Cmp(NFT_REG_1, NFT_CMP_EQ, padded));
    }

    /**
     * {@code ip saddr/daddr [!=] @SET} or {@code ip6 ...}: the address field of the network header into
     * register 1, looked up in the set.
     */
    static List<NftExpression> addressInSet(boolean ipv6, boolean source, String set, boolean inverted) {
        int offset = ipv6 ? (source ? 8 : 24) : (source ? 12 : 16);
        return List.of(new Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, ipv6 ? 16 : 4, NFT_REG_1),
                new Lookup(set, NFT_REG_1, inverted));
    }
}
