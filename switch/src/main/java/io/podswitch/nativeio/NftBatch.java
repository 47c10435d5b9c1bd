package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_ACK;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_CREATE;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_REQUEST;
import static io.podswitch.nativeio.NftLayouts.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One nf_tables transaction, encoded as nft encodes it (same messages, attributes in the same order —
 * the unit test compares the bytes with what {@code nft} sends for the same ruleset):
 * <pre>
 *  one datagram:
 *  +-------------+-----------+-----------+-----+-----------+-----------+
 *  | BATCH_BEGIN | NEWTABLE  | NEWCHAIN  | ... | NEWRULE   | BATCH_END |
 *  | res_id=10   | seq s+1   | seq s+2   |     | seq s+n   | seq s+n+1 |
 *  +-------------+-----------+-----------+-----+-----------+-----------+
 *  each change: nlmsghdr | nfgenmsg (family) | NFTA_* attributes (integers big endian)
 * </pre>
 * The kernel applies every change or none. {@link NfTables#commit} sends it; with {@code acks} each
 * change asks for an ACK, so success is confirmed message by message instead of inferred from silence.
 * Sets and rules may refer to sets and chains made earlier in the same batch. Control plane only.
 */
public final class NftBatch implements AutoCloseable {
    /** Plenty for podswitch's tables (a few KiB) and below the default netlink socket buffers (~208 KiB). */
    static final int BUFFER_BYTES = 192 * 1024;
    /** More sequence numbers than a batch of BUFFER_BYTES can use (a message takes at least 20 bytes). */
    static final int MAX_SEQUENCES = BUFFER_BYTES / 20 + 2;

    private final Arena arena = Arena.ofConfined();
    private final NetlinkRequest request;
    private final int firstSequence;
    private final int ackFlag;
    private final List<String> descriptions = new ArrayList<>();
    private final Map<String, Integer> setIds = new HashMap<>();
    private int sequence;
    private int finishedLength = -1;

    /**
     * @param firstSequence sequence number of BATCH_BEGIN; the changes follow it
     * @param acks          ask for an ACK of every change (nft does not; podswitch does)
     */
    public NftBatch(int firstSequence, boolean acks) {
        this.request = new NetlinkRequest(arena.allocate(BUFFER_BYTES, 8));
        this.firstSequence = firstSequence;
        this.sequence = firstSequence;
        this.ackFlag = acks ? NLM_F_ACK : 0;
        request.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, sequence);
        nfgenmsg(NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
    }

    // ---------------------------------------------------------------- tables

    /** {@code add table FAMILY NAME}: creates it, or leaves an existing one as it is. */
    public NftBatch addTable(int family, String table) {
        change(NFT_MSG_NEWTABLE, 0, family, "add table " + familyName(family) + " " + table);
        request.attrString(NFTA_TABLE_NAME, table);
        request.attrBigEndianInt(NFTA_TABLE_FLAGS, 0);
        return this;
    }

    /** {@code delete table FAMILY NAME}: with everything in it (the table must exist: add it first in the same batch). */
    public NftBatch deleteTable(int family, String table) {
        change(NFT_MSG_DELTABLE, 0, family, "delete table " + familyName(family) + " " + table);
        request.attrString(NFTA_TABLE_NAME, table);
        return this;
    }

    /** {@code add table} + {@code delete table}: removes the table whether or not it exists. */
    public NftBatch deleteTableIfExists(int family, String table) {
        return addTable(family, table).deleteTable(family, table);
    }

    // ---------------------------------------------------------------- chains

    public NftBatch addChain(NftChain chain) {
        change(NFT_MSG_NEWCHAIN, NLM_F_CREATE, chain.family(), "add chain " + chain);
        request.attrString(NFTA_CHAIN_TABLE, chain.table());
        request.attrString(NFTA_CHAIN_NAME, chain.name());
        if (chain.isBase()) {
            request.attrString(NFTA_CHAIN_TYPE, chain.type());
            request.attrBigEndianInt(NFTA_CHAIN_POLICY, chain.policy());
            int hook = request.beginNested(NFTA_CHAIN_HOOK);
            request.attrBigEndianInt(NFTA_HOOK_HOOKNUM, chain.hook());
            request.attrBigEndianInt(NFTA_HOOK_PRIORITY, chain.priority());
            request.endNested(hook);
        }
        return this;
    }

    // ---------------------------------------------------------------- sets

    /**
     * {@code add set FAMILY TABLE NAME { type ipv4_addr|ipv6_addr; flags interval; elements = {...} }}:
     * NEWSET, then NEWSETELEM with every element (none when the set is empty).
     */
    public NftBatch addSet(int family, String table, NftSet set) {
        int id = setIds.size() + 1;
        setIds.put(set.name(), id);
        String where = familyName(family) + " " + table + " " + set.name();
        change(NFT_MSG_NEWSET, NLM_F_CREATE, family, "add set " + where);
        request.attrString(NFTA_SET_TABLE, table);
        request.attrString(NFTA_SET_NAME, set.name());
        request.attrBigEndianInt(NFTA_SET_FLAGS, NFT_SET_INTERVAL);
        request.attrBigEndianInt(NFTA_SET_KEY_TYPE, set.ipv6() ? NFT_TYPE_IPV6_ADDR : NFT_TYPE_IPV4_ADDR);
        request.attrBigEndianInt(NFTA_SET_KEY_LEN, set.keyLength());
        request.attrBigEndianInt(NFTA_SET_ID, id);
        // nft's note that the keys are big endian, so `nft list` prints them as addresses
        request.attr(NFTA_SET_USERDATA, udata(NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_BIG_ENDIAN));
        List<NftIntervals.Element> elements = NftIntervals.of(set.prefixes(), set.keyLength());
        if (elements.isEmpty()) {
            return this;
        }
        change(NFT_MSG_NEWSETELEM, NLM_F_CREATE, family, "add element " + where + " (" + set.prefixes().size() + " prefixes)");
        request.attrString(NFTA_SET_ELEM_LIST_TABLE, table);
        request.attrString(NFTA_SET_ELEM_LIST_SET, set.name());
        request.attrBigEndianInt(NFTA_SET_ELEM_LIST_SET_ID, id);
        int list = request.beginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
        int index = 0;
        for (NftIntervals.Element e : elements) {
            // libnftnl numbers the elements' nests 1, 2, 3, ... (the kernel reads any type there)
            int element = request.beginNested(++index);
            if (e.intervalEnd()) {
                request.attrBigEndianInt(NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            }
            int key = request.beginNested(NFTA_SET_ELEM_KEY);
            request.attr(NFTA_DATA_VALUE, e.key());
            request.endNested(key);
            if (e.open()) {
                request.attr(NFTA_SET_ELEM_USERDATA, udata(NFTNL_UDATA_SET_ELEM_FLAGS, NFTNL_SET_ELEM_F_INTERVAL_OPEN));
            }
            request.endNested(element);
        }
        request.endNested(list);
        return this;
    }

    // ---------------------------------------------------------------- rules

    /** {@code add rule}: appends the rule to the chain; {@code comment} may be null. */
    public NftBatch addRule(int family, String table, String chain, List<NftExpression> expressions, String comment) {
        return rule(family, table, chain, expressions, comment, true);
    }

    /** {@code insert rule}: puts the rule at the top of the chain; {@code comment} may be null. */
    public NftBatch insertRule(int family, String table, String chain, List<NftExpression> expressions, String comment) {
        return rule(family, table, chain, expressions, comment, false);
    }

    private NftBatch rule(int family, String table, String chain, List<NftExpression> expressions, String comment,
                          boolean append) {
        byte[] userdata = comment == null ? null : commentUserdata(comment); // refused before anything is written
        change(NFT_MSG_NEWRULE, NLM_F_CREATE | (append ? NLM_F_APPEND : 0), family,
                (append ? "add rule " : "insert rule ") + familyName(family) + " " + table + " " + chain
                        + (comment == null ? "" : " \"" + comment + "\""));
        request.attrString(NFTA_RULE_TABLE, table);
        request.attrString(NFTA_RULE_CHAIN, chain);
        int list = request.beginNested(NFTA_RULE_EXPRESSIONS);
        for (NftExpression expression : expressions) {
            int element = request.beginNested(NFTA_LIST_ELEM);
            request.attrString(NFTA_EXPR_NAME, expression.name());
            int data = request.beginNested(NFTA_EXPR_DATA);
            encode(expression);
            request.endNested(data);
            request.endNested(element);
        }
        request.endNested(list);
        if (userdata != null) {
            request.attr(NFTA_RULE_USERDATA, userdata);
        }
        return this;
    }

    /** A rule comment as libnftnl stores it: one TLV (type, length, NUL-terminated text). */
    private static byte[] commentUserdata(String comment) {
        byte[] text = (comment + "\0").getBytes(StandardCharsets.UTF_8);
        if (text.length > 255) {
            throw new IllegalArgumentException("rule comments are at most 254 bytes: " + comment);
        }
        byte[] tlv = new byte[2 + text.length];
        tlv[0] = (byte) NFTNL_UDATA_RULE_COMMENT;
        tlv[1] = (byte) text.length;
        System.arraycopy(text, 0, tlv, 2, text.length);
        return tlv;
    }

    /** {@code delete rule FAMILY TABLE CHAIN handle H}. */
    public NftBatch deleteRule(int family, String table, String chain, long handle) {
        change(NFT_MSG_DELRULE, 0, family, "delete rule " + familyName(family) + " " + table + " " + chain
                + " handle " + handle);
        request.attrString(NFTA_RULE_TABLE, table);
        request.attrString(NFTA_RULE_CHAIN, chain);
        request.attrBigEndianLong(NFTA_RULE_HANDLE, handle);
        return this;
    }

    // The attribute order of each expression is nft's (libnftnl's build functions).
    private void encode(NftExpression expression) {
        switch (expression) {
            case NftExpression.Meta m -> {
                request.attrBigEndianInt(NFTA_META_KEY, m.key());
                request.attrBigEndianInt(NFTA_META_DREG, m.destinationRegister());
            }
            case NftExpression.Cmp c -> {
                request.attrBigEndianInt(NFTA_CMP_SREG, c.sourceRegister());
                request.attrBigEndianInt(NFTA_CMP_OP, c.op());
                value(NFTA_CMP_DATA, c.data());
            }
            case NftExpression.Payload p -> {
                request.attrBigEndianInt(NFTA_PAYLOAD_DREG, p.destinationRegister());
                request.attrBigEndianInt(NFTA_PAYLOAD_BASE, p.base());
                request.attrBigEndianInt(NFTA_PAYLOAD_OFFSET, p.offset());
                request.attrBigEndianInt(NFTA_PAYLOAD_LEN, p.length());
            }
            case NftExpression.Lookup l -> {
                request.attrBigEndianInt(NFTA_LOOKUP_SREG, l.sourceRegister());
                request.attrString(NFTA_LOOKUP_SET, l.set());
                Integer id = setIds.get(l.set());
                if (id != null) {
                    request.attrBigEndianInt(NFTA_LOOKUP_SET_ID, id);
                }
                if (l.inverted()) {
                    request.attrBigEndianInt(NFTA_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
                }
            }
            case NftExpression.Immediate i -> {
                request.attrBigEndianInt(NFTA_IMMEDIATE_DREG, i.destinationRegister());
                value(NFTA_IMMEDIATE_DATA, i.data());
            }
            case NftExpression.Verdict v -> {
                request.attrBigEndianInt(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
                int data = request.beginNested(NFTA_IMMEDIATE_DATA);
                int verdict = request.beginNested(NFTA_DATA_VERDICT);
                request.attrBigEndianInt(NFTA_VERDICT_CODE, v.code());
                if (v.chain() != null) {
                    request.attrString(NFTA_VERDICT_CHAIN, v.chain());
                }
                request.endNested(verdict);
                request.endNested(data);
            }
            case NftExpression.Masquerade m -> {
                if (m.flags() != 0) {
                    request.attrBigEndianInt(NFTA_MASQ_FLAGS, m.flags());
                }
                if (m.protoMinRegister() != 0) {
                    request.attrBigEndianInt(NFTA_MASQ_REG_PROTO_MIN, m.protoMinRegister());
                    request.attrBigEndianInt(NFTA_MASQ_REG_PROTO_MAX, m.protoMaxRegister());
                }
            }
            case NftExpression.Counter c -> {
                // no attributes: the kernel starts it at zero
            }
        }
    }

    /** An NFTA_DATA_VALUE nested in {@code type}. */
    private void value(int type, byte[] data) {
        int nested = request.beginNested(type);
        request.attr(NFTA_DATA_VALUE, data);
        request.endNested(nested);
    }

    // ---------------------------------------------------------------- framing

    private void change(int nftMessage, int flags, int family, String description) {
        checkOpen();
        request.next(messageType(nftMessage), NLM_F_REQUEST | ackFlag | flags, ++sequence);
        nfgenmsg(family, 0);
        descriptions.add(description);
    }

    private void nfgenmsg(int family, int resourceId) {
        int at = request.struct(NFGENMSG_SIZE);
        request.putByte(at, family);
        request.putByte(at + 1, NFNETLINK_V0);
        request.putShort(at + 2, Short.reverseBytes((short) resourceId));
    }

    /** A libnftnl user-data TLV holding one host-order u32. */
    private static byte[] udata(int type, int value) {
        return new byte[] {(byte) type, 4, (byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    /** Appends BATCH_END (once) and returns the datagram's length; the batch takes no more changes. */
    int finish() {
        if (finishedLength < 0) {
            request.next(NFNL_MSG_BATCH_END, NLM_F_REQUEST, ++sequence);
            nfgenmsg(NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
            finishedLength = request.finish();
        }
        return finishedLength;
    }

    /** The datagram (valid after {@link #finish()}). */
    MemorySegment buffer() {
        return request.buffer();
    }

    /** The encoded datagram: BATCH_BEGIN, the changes, BATCH_END (for tests and debugging). */
    public byte[] bytes() {
        int length = finish();
        return request.buffer().asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    int firstSequence() {
        return firstSequence;
    }

    /** Number of changes (messages between BATCH_BEGIN and BATCH_END). */
    public int changes() {
        return descriptions.size();
    }

    boolean asksForAcks() {
        return ackFlag != 0;
    }

    /** "add rule inet podswitch postrouting" for the change with sequence number {@code seq}, else null. */
    String describe(int seq) {
        int index = seq - firstSequence - 1;
        return index >= 0 && index < descriptions.size() ? descriptions.get(index) : null;
    }

    private void checkOpen() {
        if (finishedLength >= 0) {
            throw new IllegalStateException("nf_tables batch already finished");
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
