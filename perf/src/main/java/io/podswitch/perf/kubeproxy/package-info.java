/**
 * The kernel's service proxy as kube-proxy programs it, for the service scenario's baselines: the
 * same rules, chain names and order as kube-proxy's iptables mode ({@link IptablesRules}, fed to
 * {@code iptables-restore}), nftables mode ({@link NftablesRules}, fed to {@code nft -f}) and IPVS
 * mode ({@link IpvsRules}: {@code kube-ipvs0} dummy, virtual servers in masquerading mode).
 * {@link ServicePort} is one service port with its endpoints, {@link ChainNames} kube-proxy's hashed
 * chain names.
 */
package io.podswitch.perf.kubeproxy;
