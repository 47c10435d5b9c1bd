package io.podswitch.perf.kubeproxy;

/** kube-proxy's proxy modes; the subject names of the service scenario's kernel baselines. */
public enum KubeProxyMode {
    IPTABLES("kernel-iptables", "iptables-restore"),
    NFTABLES("kernel-nft", "nft"),
    IPVS("kernel-ipvs", "ipvsadm");

    private final String subject;
    private final String tool;

    KubeProxyMode(String subject, String tool) {
        this.subject = subject;
        this.tool = tool;
    }

    /** The report subject and {@code --side} value, e.g. {@code kernel-iptables}. */
    public String subject() {
        return subject;
    }

    /** The program that loads this mode's rules. */
    public String tool() {
        return tool;
    }
}
