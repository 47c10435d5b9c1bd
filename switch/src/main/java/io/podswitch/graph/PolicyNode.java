package io.podswitch.graph;

import io.podswitch.packet.FrameCache;
import io.podswitch.policy.AddressClassifier;
import io.podswitch.policy.CompiledPolicy;

/**
 * What ip4-policy and ip6-policy share: the snapshot read once per vector (none active: every packet goes on
 * untouched), switch-built packets passed, each other packet judged by the family's {@link #judge} and either
 * handed to rewrite or dropped with its reason counted (and whether it was a revoked connection, whether its
 * deny-log sample was suppressed).
 */
abstract class PolicyNode extends GraphNode {
    final PolicyStage stage;
    final GraphClock clock;
    GraphNode next;

    PolicyNode(String name, GraphContext ctx, PolicyStage stage) {
        super(name, ctx, PolicyStage.REASONS);
        this.stage = stage;
        this.clock = ctx.clock;
    }

    @Override
    final void process(FrameCache cache, int n) {
        CompiledPolicy snap = stage.snapshot();
        if (!snap.enforcing()) {
            for (int i = 0; i < n; i++) {
                enqueue(next, input.frame(i), cache);
            }
            return;
        }
        AddressClassifier addresses = snap.addresses();
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            if (meta.has(f, FrameMetadata.ORIGINATED)) {
                enqueue(next, f, cache);
                continue;
            }
            int result = judge(snap, addresses, f);
            counters.count(result);
            if (PolicyStage.isDrop(result)) {
                if (stage.lastRevoked) {
                    counters.count(PolicyStage.REVOKED);
                }
                if (!stage.logged) {
                    counters.count(PolicyStage.LOG_SUPPRESSED);
                }
                cache.free(f);
            } else {
                enqueue(next, f, cache);
            }
        }
    }

    /** The frame's result: a {@link PolicyStage} reason (a drop when {@link PolicyStage#isDrop}). */
    abstract int judge(CompiledPolicy snap, AddressClassifier addresses, int f);
}
