package io.podswitch.config.model.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Kubernetes label selector ({@code metav1.LabelSelector}): every {@code matchLabels} pair and every
 * {@code matchExpressions} requirement must hold (they are ANDed). An empty selector matches everything.
 * A selector that is absent in the API ({@code null}) is a different thing — what it means depends on the
 * field — so callers keep {@code null} and this record apart.
 */
public record LabelSelector(Map<String, String> matchLabels, List<LabelRequirement> matchExpressions) {

    /** The empty selector {@code {}}: every object. */
    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = java.util.Collections.unmodifiableMap(new TreeMap<>(matchLabels));
        matchExpressions = List.copyOf(matchExpressions);
    }

    /** A selector of {@code matchLabels} only. */
    public static LabelSelector of(Map<String, String> matchLabels) {
        return new LabelSelector(matchLabels, List.of());
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** Whether an object with these labels is selected. */
    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!Objects.equals(labels.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        for (LabelRequirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** kubectl's selector syntax: {@code pod=a,tier in (db,cache),!legacy}; {@code {}} for the empty one. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            sb.append(sb.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
        }
        for (LabelRequirement r : matchExpressions) {
            sb.append(sb.isEmpty() ? "" : ",").append(r);
        }
        return sb.toString();
    }
}
