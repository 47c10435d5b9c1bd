package io.podswitch.testapi;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * When a write advances {@code metadata.generation}: when anything outside {@code metadata} and {@code status}
 * changed — the rule of kube-apiserver and of fabric8's CRUD mock. The mock decides it from a JSON Patch of the
 * two objects (zjsonpatch), whose longest-common-subsequence over every array compares elements pairwise: a PUT
 * of a 1,000-rule NetworkPolicy spent ~200 ms there and one of 10,000 rules ~20 s, all of it before the write was
 * answered or watched (issue 13's {@code bench policy}, subject {@code podswitch-kubernetes}). Comparing the
 * top-level fields gives the same answer in one pass; {@code GenerationRuleTest} checks it against the mock's own.
 */
final class GenerationRule {
    private GenerationRule() {
    }

    /** Whether {@code current} → {@code updated} changes a top-level field other than metadata and status. */
    static boolean specChanged(JsonNode current, JsonNode updated) {
        if (!current.isObject() || !updated.isObject()) {
            return !current.equals(updated);
        }
        for (String name : current.propertyNames()) {
            if (!name.equals("metadata") && !name.equals("status") && !Objects.equals(current.get(name), updated.get(name))) {
                return true;
            }
        }
        for (String name : updated.propertyNames()) {
            if (!name.equals("metadata") && !name.equals("status") && !current.has(name)) {
                return true;
            }
        }
        return false;
    }
}
