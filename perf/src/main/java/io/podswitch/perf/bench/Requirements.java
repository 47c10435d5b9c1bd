package io.podswitch.perf.bench;

import java.util.List;

/**
 * What a scenario needs from the machine.
 *
 * @param root  needs root for namespaces, links or TAPs; without it those steps report needs-root
 * @param tools external programs used for baselines or traffic; each is optional
 */
public record Requirements(boolean root, List<String> tools) {

    public Requirements {
        tools = List.copyOf(tools);
    }

    public String describe() {
        return (root ? "needs root" : "no root needed") + (tools.isEmpty() ? "" : "; tools: " + String.join(", ", tools));
    }
}
