package io.podswitch.nativeio;

/**
 * A rule as {@link NfTables#rules} lists it: where it is, its handle (to delete it) and its comment
 * (nft's {@code comment "..."}, iptables' {@code -m comment --comment "..."}), or null.
 */
public record NftRuleEntry(int family, String table, String chain, long handle, String comment) {
}
