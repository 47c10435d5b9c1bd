package io.podswitch.nativeio;

import static io.podswitch.nativeio.NetlinkLayouts.NLMSGHDR_SIZE;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_ERROR;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_SEQ;
import static io.podswitch.nativeio.NetlinkLayouts.NLMSG_TYPE;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_DUMP;
import static io.podswitch.nativeio.NetlinkLayouts.NLM_F_REQUEST;
import static io.podswitch.nativeio.NetlinkLayouts.align;
import static io.podswitch.nativeio.NftLayouts.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * nf_tables from Java: a {@code NETLINK_NETFILTER} socket in the network namespace of the thread that
 * {@linkplain #open() opened} it. Changes go as one {@link NftBatch} (applied by the kernel all or
 * nothing); reads are dumps of tables, chains and rules. A refusal becomes a {@link NativeException}
 * naming the change ("add chain inet podswitch postrouting"), the errno and the kernel's text.
 *
 * <p>What {@code nft} and {@code iptables-nft} do, without running them: production code never runs
 * {@code nft}. Control plane only: allocates freely; methods are synchronized.
 */
public final class NfTables implements AutoCloseable {
    private static final int REQUEST_BYTES = 4096;

    private final NetlinkSocket socket;
    private final NetlinkRequest request;
    private int sequence;

    private NfTables(NetlinkSocket socket) {
        this.socket = socket;
        this.request = socket.newRequest(REQUEST_BYTES);
        this.sequence = (int) (System.nanoTime() & 0x3fffffff);
    }

    /** Opens the socket in the calling thread's network namespace (needs CAP_NET_ADMIN there). */
    public static NfTables open() {
        return new NfTables(NetlinkSocket.open(NETLINK_NETFILTER, "nf_tables"));
    }

    /** A new, empty transaction whose changes ask for ACKs; fill it, then {@link #commit} it. */
    public synchronized NftBatch batch() {
        NftBatch batch = new NftBatch(sequence + 1, true);
        sequence += NftBatch.MAX_SEQUENCES; // the batch's sequence numbers are never reused by the next request
        return batch;
    }

    /**
     * Sends the batch and waits until the kernel has acknowledged every change (the kernel answers only
     * after the commit, so all ACKs mean it is in force). The first refusal is thrown; then nothing of
     * the batch was applied.
     */
    public synchronized void commit(NftBatch batch) {
        socket.checkOpen();
        if (!batch.asksForAcks()) {
            throw new IllegalArgumentException("commit needs a batch that asks for ACKs (NfTables.batch())");
        }
        int length = batch.finish();
        int first = batch.firstSequence();
        int changes = batch.changes();
        int last = first + changes + 1; // BATCH_END
        if (changes == 0) {
            return;
        }
        socket.send(batch.buffer(), length, "batch");
        BitSet acked = new BitSet(changes);
        while (acked.cardinality() < changes) {
            int n = socket.receive("batch", "nf_tables");
            MemorySegment buf = socket.receiveBuffer();
            int at = 0;
            while (at + NLMSGHDR_SIZE <= n) {
                int len = socket.messageLength(at, n, "batch");
                int type = buf.get(JAVA_SHORT, at + NLMSG_TYPE) & 0xffff;
                int seq = buf.get(JAVA_INT, at + NLMSG_SEQ);
                if (type == NLMSG_ERROR && seq >= first && seq <= last) {
                    int error = socket.errorCode(at);
                    String change = batch.describe(seq);
                    if (error != 0) {
                        // an error on BATCH_BEGIN/END is the commit itself failing
                        throw socket.kernelError(change == null ? "nf_tables commit" : change,
                                change == null ? changes + " change(s)" : "nf_tables", -error, at, len);
                    }
                    if (change != null) {
                        acked.set(seq - first - 1);
                    }
                }
                at += align(len);
            }
        }
    }

    /** Does {@code family name} exist? */
    public synchronized boolean tableExists(int family, String name) {
        socket.checkOpen();
        request.begin(messageType(NFT_MSG_GETTABLE), NLM_F_REQUEST, ++sequence);
        nfgenmsg(family);
        request.attrString(NFTA_TABLE_NAME, name);
        try {
            socket.exchange(request, sequence, "get table", familyName(family) + " " + name, null, true);
            return true;
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Every chain of {@code family} (NFPROTO_UNSPEC: every family), base chains with hook, priority and policy. */
    public synchronized List<NftChain> chains(int family) {
        return dump(NFT_MSG_GETCHAIN, family, null, null, "list chains", familyName(family), NFT_MSG_NEWCHAIN,
                NfTables::parseChain);
    }

    /** The rules of one chain, in order: their handles and comments. */
    public synchronized List<NftRuleEntry> rules(int family, String table, String chain) {
        List<NftRuleEntry> all = dump(NFT_MSG_GETRULE, family, table, chain, "list rules",
                familyName(family) + " " + table + " " + chain, NFT_MSG_NEWRULE, NfTables::parseRule);
        return all.stream().filter(r -> r.table().equals(table) && r.chain().equals(chain)).toList();
    }

    /** A dump request (NFTA_*_TABLE / _CHAIN filter when given: attribute numbers 1 and 2 for rules). */
    private <T> List<T> dump(int getMessage, int family, String table, String chain, String operation, String object,
                             int replyMessage, Parser<T> parser) {
        socket.checkOpen();
        request.begin(messageType(getMessage), NLM_F_REQUEST | NLM_F_DUMP, ++sequence);
        nfgenmsg(family);
        if (table != null) {
            request.attrString(NFTA_RULE_TABLE, table);
            request.attrString(NFTA_RULE_CHAIN, chain);
        }
        List<T> out = new ArrayList<>();
        socket.exchange(request, sequence, operation, object, (buf, at, len, type) -> {
            if (type == messageType(replyMessage)) {
                out.add(parser.parse(buf, at, len));
            }
        }, true);
        return out;
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(MemorySegment buffer, int offset, int length);
    }

    private void nfgenmsg(int family) {
        int at = request.struct(NFGENMSG_SIZE);
        request.putByte(at, family);
    }

    // ---------------------------------------------------------------- parsing (kernel input: bounds-checked)

    private static NftChain parseChain(MemorySegment buf, int at, int len) {
        int family = buf.get(JAVA_BYTE, at + NLMSGHDR_SIZE) & 0xff;
        String table = "";
        String name = "";
        String type = null;
        int hook = 0;
        int priority = 0;
        int policy = NF_ACCEPT;
        RtAttributes a = new RtAttributes(buf, at + NLMSGHDR_SIZE + NFGENMSG_SIZE, at + len);
        while (a.next()) {
            switch (a.type()) {
                case NFTA_CHAIN_TABLE -> table = NetlinkSocket.string(buf, a.data(), a.length());
                case NFTA_CHAIN_NAME -> name = NetlinkSocket.string(buf, a.data(), a.length());
                case NFTA_CHAIN_TYPE -> type = NetlinkSocket.string(buf, a.data(), a.length());
                case NFTA_CHAIN_POLICY -> policy = bigEndianInt(buf, a.data(), a.length(), policy);
                case NFTA_CHAIN_HOOK -> {
                    RtAttributes h = new RtAttributes(buf, a.data(), a.data() + a.length());
                    while (h.next()) {
                        if (h.type() == NFTA_HOOK_HOOKNUM) {
                            hook = bigEndianInt(buf, h.data(), h.length(), hook);
                        } else if (h.type() == NFTA_HOOK_PRIORITY) {
                            priority = bigEndianInt(buf, h.data(), h.length(), priority);
                        }
                    }
                }
                default -> { }
            }
        }
        return new NftChain(family, table, name, type, hook, priority, policy);
    }

    private static NftRuleEntry parseRule(MemorySegment buf, int at, int len) {
        int family = buf.get(JAVA_BYTE, at + NLMSGHDR_SIZE) & 0xff;
        String table = "";
        String chain = "";
        long handle = 0;
        String comment = null;
        RtAttributes a = new RtAttributes(buf, at + NLMSGHDR_SIZE + NFGENMSG_SIZE, at + len);
        while (a.next()) {
            switch (a.type()) {
                case NFTA_RULE_TABLE -> table = NetlinkSocket.string(buf, a.data(), a.length());
                case NFTA_RULE_CHAIN -> chain = NetlinkSocket.string(buf, a.data(), a.length());
                case NFTA_RULE_HANDLE -> {
                    if (a.length() == 8) {
                        handle = ((long) bigEndianInt(buf, a.data(), 4, 0) << 32)
                                | (bigEndianInt(buf, a.data() + 4, 4, 0) & 0xffffffffL);
                    }
                }
                case NFTA_RULE_USERDATA -> comment = comment(buf, a.data(), a.length());
                default -> { }
            }
        }
        return new NftRuleEntry(family, table, chain, handle, comment);
    }

    /** The comment TLV in a rule's user data (nft's and iptables-nft's {@code comment}), or null. */
    private static String comment(MemorySegment buf, int at, int length) {
        int i = 0;
        while (i + 2 <= length) {
            int type = buf.get(JAVA_BYTE, at + i) & 0xff;
            int tlvLength = buf.get(JAVA_BYTE, at + i + 1) & 0xff;
            if (i + 2 + tlvLength > length) {
                return null;
            }
            if (type == NFTNL_UDATA_RULE_COMMENT) {
                return NetlinkSocket.string(buf, at + i + 2, tlvLength);
            }
            i += 2 + tlvLength;
        }
        return null;
    }

    private static int bigEndianInt(MemorySegment buf, int at, int length, int otherwise) {
        return length == 4 ? Integer.reverseBytes(buf.get(JAVA_INT, at)) : otherwise;
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
