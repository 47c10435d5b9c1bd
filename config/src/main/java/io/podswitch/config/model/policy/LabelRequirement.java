package io.podswitch.config.model.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code matchExpressions} entry of a label selector.
 *
 * @param values for {@link Operator#IN} and {@link Operator#NOT_IN} (non-empty in a valid object), empty for
 *               the other two
 */
public record LabelRequirement(String key, Operator operator, List<String> values) {

    /** The four operators of {@code metav1.LabelSelectorRequirement}. */
    public enum Operator {
        IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist");

        private final String apiName;

        Operator(String apiName) {
            this.apiName = apiName;
        }

        /** The spelling in the API and in the cluster file. */
        public String apiName() {
            return apiName;
        }
    }

    public LabelRequirement {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operator, "operator");
        values = List.copyOf(values);
    }

    /**
     * Kubernetes' semantics: {@code In} needs the label with one of the values; {@code NotIn} holds when the
     * label is absent or has another value; {@code Exists} / {@code DoesNotExist} look at the key only.
     */
    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case IN -> value != null && values.contains(value);
            case NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    @Override
    public String toString() {
        return switch (operator) {
            case IN -> key + " in (" + String.join(",", values) + ")";
            case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
        };
    }
}
