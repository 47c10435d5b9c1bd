package io.podswitch.config.model.policy;

import java.util.List;
import java.util.Objects;

/**
 * A NetworkPolicy ({@code networking.k8s.io/v1}) with its {@code policyTypes} resolved.
 *
 * <p>A policy selects the pods of its namespace that {@code podSelector} matches. For each direction it
 * applies to, those pods become isolated: only what some rule of some policy applying to them in that
 * direction allows may pass (policies are a union; a pod no policy selects is open).
 *
 * @param podSelector the selected pods of {@code id.namespace()} ({@code {}}: all of them)
 * @param ingress     the policy applies to ingress (its {@code ingressRules} count; none = deny all)
 * @param egress      the policy applies to egress
 */
public record NetworkPolicy(NamespacedName id, LabelSelector podSelector, boolean ingress, boolean egress,
                                   List<PolicyRule> ingressRules, List<PolicyRule> egressRules) {

    public NetworkPolicy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(podSelector, "podSelector");
        ingressRules = List.copyOf(ingressRules);
        egressRules = List.copyOf(egressRules);
    }

    /**
     * Applies the API's defaulting of {@code policyTypes} (k8s.io/kubernetes pkg/apis/networking defaults):
     * when none are given, the policy applies to Ingress, and to Egress as well when it has egress rules.
     *
     * @param ingressType {@code policyTypes} lists Ingress (ignored when {@code typesGiven} is false)
     * @param egressType  {@code policyTypes} lists Egress (ignored when {@code typesGiven} is false)
     */
    public static NetworkPolicy of(NamespacedName id, LabelSelector podSelector, boolean typesGiven,
                                          boolean ingressType, boolean egressType, List<PolicyRule> ingressRules,
                                          List<PolicyRule> egressRules) {
        boolean ingress = typesGiven ? ingressType : true;
        boolean egress = typesGiven ? egressType : !egressRules.isEmpty();
        return new NetworkPolicy(id, podSelector, ingress, egress, ingressRules, egressRules);
    }

    /** Whether this policy selects a pod (its namespace and labels). */
    public boolean selects(PodInfo pod) {
        return !pod.hostNetwork() && pod.namespace().equals(id.namespace()) && podSelector.matches(pod.labels());
    }
}
