package io.podswitch.nativeio;

/**
 * The nf_tables netlink protocol (linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h,
 * linux/netfilter/nf_nat.h, libnftnl's udata.h): message types, attribute numbers and values.
 *
 * <p>Every nfnetlink message carries a 4-byte {@code nfgenmsg} after the netlink header, then attributes.
 * Unlike rtnetlink, nf_tables integers in attributes are in <b>network byte order</b> (NLA_BE32/NLA_BE64);
 * only the registers' data (addresses, ports) is raw packet bytes.
 * <pre>
 *  0           4          6          8          12         16       17        18          20
 *  +-----------+----------+----------+----------+----------+--------+---------+-----------+-------
 *  | len (u32) | type u16 | flags u16| seq (u32)| pid (u32)| family | version | res_id    | attrs...
 *  |           | SUBSYS&lt;&lt;8 | MSG     |          |          |  u8    | 0       | be16      |
 *  +-----------+----------+----------+----------+----------+--------+---------+-----------+-------
 *  nfgenmsg.family: NFPROTO_INET/IPV4/IPV6; res_id: 0, except in the batch markers (NFNL_SUBSYS_NFTABLES)
 * </pre>
 * A transaction is a <b>batch</b>: one datagram holding {@code NFNL_MSG_BATCH_BEGIN}, the changes, and
 * {@code NFNL_MSG_BATCH_END}; the kernel applies all of it or none of it.
 */
public final class NftLayouts {
    private NftLayouts() {
    }

    public static final int NETLINK_NETFILTER = 12;
    public static final int NFGENMSG_SIZE = 4;
    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    public static final int NFNL_MSG_BATCH_BEGIN = 16;
    public static final int NFNL_MSG_BATCH_END = 17;
    /** Appends a rule at the end of its chain (without it, NEWRULE inserts at the top). */
    public static final int NLM_F_APPEND = 0x800;

    // nf_tables_msg_types
    public static final int NFT_MSG_NEWTABLE = 0;
    public static final int NFT_MSG_GETTABLE = 1;
    public static final int NFT_MSG_DELTABLE = 2;
    public static final int NFT_MSG_NEWCHAIN = 3;
    public static final int NFT_MSG_GETCHAIN = 4;
    public static final int NFT_MSG_NEWRULE = 6;
    public static final int NFT_MSG_GETRULE = 7;
    public static final int NFT_MSG_DELRULE = 8;
    public static final int NFT_MSG_NEWSET = 9;
    public static final int NFT_MSG_NEWSETELEM = 12;

    // families (nfgenmsg.nfgen_family)
    public static final int NFPROTO_UNSPEC = 0;
    public static final int NFPROTO_INET = 1;
    public static final int NFPROTO_IPV4 = 2;
    public static final int NFPROTO_IPV6 = 10;

    // hooks and verdicts (linux/netfilter.h)
    public static final int NF_INET_FORWARD = 2;
    public static final int NF_INET_POST_ROUTING = 4;
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;
    public static final int NFT_JUMP = -3;
    /** nft's "srcnat" priority (NF_IP_PRI_NAT_SRC). */
    public static final int NF_PRIORITY_SRCNAT = 100;

    // table
    public static final int NFTA_TABLE_NAME = 1;
    public static final int NFTA_TABLE_FLAGS = 2;

    // chain
    public static final int NFTA_CHAIN_TABLE = 1;
    public static final int NFTA_CHAIN_HANDLE = 2;
    public static final int NFTA_CHAIN_NAME = 3;
    public static final int NFTA_CHAIN_HOOK = 4;
    public static final int NFTA_CHAIN_POLICY = 5;
    public static final int NFTA_CHAIN_TYPE = 7;
    public static final int NFTA_HOOK_HOOKNUM = 1;
    public static final int NFTA_HOOK_PRIORITY = 2;

    // rule
    public static final int NFTA_RULE_TABLE = 1;
    public static final int NFTA_RULE_CHAIN = 2;
    public static final int NFTA_RULE_HANDLE = 3;
    public static final int NFTA_RULE_EXPRESSIONS = 4;
    public static final int NFTA_RULE_USERDATA = 7;
    public static final int NFTA_LIST_ELEM = 1;
    public static final int NFTA_EXPR_NAME = 1;
    public static final int NFTA_EXPR_DATA = 2;

    // set
    public static final int NFTA_SET_TABLE = 1;
    public static final int NFTA_SET_NAME = 2;
    public static final int NFTA_SET_FLAGS = 3;
    public static final int NFTA_SET_KEY_TYPE = 4;
    public static final int NFTA_SET_KEY_LEN = 5;
    public static final int NFTA_SET_ID = 10;
    public static final int NFTA_SET_USERDATA = 13;
    public static final int NFT_SET_INTERVAL = 0x4;
    public static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    public static final int NFTA_SET_ELEM_LIST_SET = 2;
    public static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    public static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    public static final int NFTA_SET_ELEM_KEY = 1;
    public static final int NFTA_SET_ELEM_FLAGS = 3;
    public static final int NFTA_SET_ELEM_USERDATA = 6;
    public static final int NFT_SET_ELEM_INTERVAL_END = 0x1;
    /** nft's data type ids (what {@code nft list} shows as {@code type ipv4_addr}); the kernel only stores them. */
    public static final int NFT_TYPE_IPV4_ADDR = 7;
    public static final int NFT_TYPE_IPV6_ADDR = 8;

    // data and verdicts
    public static final int NFTA_DATA_VALUE = 1;
    public static final int NFTA_DATA_VERDICT = 2;
    public static final int NFTA_VERDICT_CODE = 1;
    public static final int NFTA_VERDICT_CHAIN = 2;

    // registers: 0 is the verdict, 1..4 the 16-byte data registers
    public static final int NFT_REG_VERDICT = 0;
    public static final int NFT_REG_1 = 1;
    public static final int NFT_REG_2 = 2;

    // expressions
    public static final int NFTA_META_DREG = 1;
    public static final int NFTA_META_KEY = 2;
    public static final int NFT_META_IIFNAME = 6;
    public static final int NFT_META_OIFNAME = 7;
    public static final int NFT_META_NFPROTO = 15;
    public static final int NFT_META_L4PROTO = 16;
    public static final int NFTA_CMP_SREG = 1;
    public static final int NFTA_CMP_OP = 2;
    public static final int NFTA_CMP_DATA = 3;
    public static final int NFT_CMP_EQ = 0;
    public static final int NFTA_PAYLOAD_DREG = 1;
    public static final int NFTA_PAYLOAD_BASE = 2;
    public static final int NFTA_PAYLOAD_OFFSET = 3;
    public static final int NFTA_PAYLOAD_LEN = 4;
    public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
    public static final int NFTA_LOOKUP_SET = 1;
    public static final int NFTA_LOOKUP_SREG = 2;
    public static final int NFTA_LOOKUP_SET_ID = 4;
    public static final int NFTA_LOOKUP_FLAGS = 5;
    public static final int NFT_LOOKUP_F_INV = 0x1;
    public static final int NFTA_IMMEDIATE_DREG = 1;
    public static final int NFTA_IMMEDIATE_DATA = 2;
    public static final int NFTA_MASQ_FLAGS = 1;
    public static final int NFTA_MASQ_REG_PROTO_MIN = 2;
    public static final int NFTA_MASQ_REG_PROTO_MAX = 3;
    // linux/netfilter/nf_nat.h
    public static final int NF_NAT_RANGE_PROTO_SPECIFIED = 0x2;
    public static final int NF_NAT_RANGE_PROTO_RANDOM_FULLY = 0x10;

    // libnftnl user data (type-length-value, one byte each for type and length): what nft stores to list things back
    public static final int NFTNL_UDATA_RULE_COMMENT = 0;
    public static final int NFTNL_UDATA_SET_KEYBYTEORDER = 0;
    public static final int NFTNL_UDATA_SET_ELEM_FLAGS = 1;
    /** nft's BYTEORDER_BIG_ENDIAN: addresses in a set key are in network order. */
    public static final int NFT_BYTEORDER_BIG_ENDIAN = 2;
    /** The element starts an interval that runs to the end of the key space (no end element follows). */
    public static final int NFTNL_SET_ELEM_F_INTERVAL_OPEN = 0x1;

    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    /** Interface names in meta iifname/oifname comparisons are IFNAMSIZ bytes, NUL padded. */
    public static final int IFNAMSIZ = 16;

    /** The netlink message type of an nf_tables message. */
    public static int messageType(int nftMessage) {
        return (NFNL_SUBSYS_NFTABLES << 8) | nftMessage;
    }

    /** "inet", "ip", "ip6" as nft names the families. */
    public static String familyName(int family) {
        return switch (family) {
            case NFPROTO_INET -> "inet";
            case NFPROTO_IPV4 -> "ip";
            case NFPROTO_IPV6 -> "ip6";
            case 3 -> "arp";
            case 5 -> "netdev";
            case 7 -> "bridge";
            default -> "family " + family;
        };
    }
}
