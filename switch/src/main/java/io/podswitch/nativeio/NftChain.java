package io.podswitch.nativeio;

/**
 * A chain: a regular one (reached by {@code jump}), or a base chain hooked into the stack
 * ({@code type nat hook postrouting priority srcnat; policy accept;}). As listed by
 * {@link NfTables#chains}, it also carries its family, table and handle.
 *
 * @param type     "filter", "nat", "route"; null for a regular chain
 * @param hook     NF_INET_* hook number (base chains)
 * @param priority hook priority (base chains; lower runs first)
 * @param policy   NF_ACCEPT or NF_DROP (base chains)
 */
public record NftChain(int family, String table, String name, String type, int hook, int priority, int policy) {

    /** A chain reached only by jumps from other chains. */
    public static NftChain regular(int family, String table, String name) {
        return new NftChain(family, table, name, null, 0, 0, 0);
    }

    /** A base chain. */
    public static NftChain base(int family, String table, String name, String type, int hook, int priority, int policy) {
        return new NftChain(family, table, name, type, hook, priority, policy);
    }

    public boolean isBase() {
        return type != null;
    }

    /** {@code ip filter FORWARD} — how nft names it. */
    @Override
    public String toString() {
        return NftLayouts.familyName(family) + " " + table + " " + name;
    }
}
