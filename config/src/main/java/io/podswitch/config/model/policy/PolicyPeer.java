package io.podswitch.config.model.policy;

import io.podswitch.config.cidr.Cidr;
import java.util.List;
import java.util.Objects;

/**
 * One {@code from[]} / {@code to[]} entry of a NetworkPolicy rule ({@code NetworkPolicyPeer}): pods chosen
 * by selectors, or addresses by CIDR.
 */
public sealed interface PolicyPeer {

    /**
     * Pods: {@code podSelector} and/or {@code namespaceSelector}.
     *
     * @param namespaceSelector the namespaces the pods live in; null (absent) = only the policy's own namespace
     * @param podSelector       the pods in those namespaces; null (absent) = every pod there
     */
    record Pods(LabelSelector namespaceSelector, LabelSelector podSelector) implements PolicyPeer {

        public Pods {
            if (namespaceSelector == null && podSelector == null) {
                throw new IllegalArgumentException("a pod peer needs a podSelector or a namespaceSelector");
            }
        }

        @Override
        public String toString() {
            String ns = namespaceSelector == null ? "" : "namespaces " + namespaceSelector;
            String pods = podSelector == null ? "" : "pods " + podSelector;
            return ns.isEmpty() ? pods : pods.isEmpty() ? ns : pods + " in " + ns;
        }
    }

    /**
     * Addresses: {@code ipBlock.cidr} minus {@code ipBlock.except} (each except inside the CIDR). It matches
     * any address, pod addresses included (as the upstream e2e suite expects).
     */
    record IpBlock(Cidr cidr, List<Cidr> except) implements PolicyPeer {

        public IpBlock {
            Objects.requireNonNull(cidr, "cidr");
            except = List.copyOf(except);
            for (Cidr e : except) {
                if (e.family() != cidr.family() || !cidr.contains(e)) {
                    throw new IllegalArgumentException("except " + e + " is not inside " + cidr);
                }
            }
        }

        public boolean matches(io.podswitch.config.cidr.IpAddress address) {
            if (!cidr.contains(address)) {
                return false;
            }
            for (Cidr e : except) {
                if (e.contains(address)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return except.isEmpty() ? cidr.toString() : cidr + " except " + except;
        }
    }
}
