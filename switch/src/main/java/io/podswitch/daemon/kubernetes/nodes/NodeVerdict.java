package io.podswitch.daemon.kubernetes.nodes;

import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.kubernetes.watch.Skipped;

/** What a Node object means to podswitch: a peer to install, or why not (logged once, picked up when fixed). */
public sealed interface NodeVerdict {

    String name();

    /** A usable node: addresses and pod CIDRs in the cluster's family order. */
    record Accepted(NodeConfig node) implements NodeVerdict {
        @Override
        public String name() {
            return node.name();
        }
    }

    /** A node podswitch cannot route to yet (no pod CIDR, addresses outside nodeCIDRs, garbage …). */
    record Rejected(String name, Skipped why) implements NodeVerdict {
        /** @param reason the code (a metric label), @param detail the sentence for the log */
        public Rejected(String name, String reason, String detail) {
            this(name, new Skipped(reason, detail));
        }

        /** The sentence for the log and the status. */
        public String reason() {
            return why.detail();
        }
    }
}
