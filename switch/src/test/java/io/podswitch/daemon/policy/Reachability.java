package io.podswitch.daemon.policy;

import java.util.List;

/**
 * A 9×9 truth table over {@link NetpolWorld#allPods()}: may "from" reach "to"? Built like the upstream suite's
 * {@code Reachability} (start from all true, then {@code expectPeer}/{@code expectAllIngress}/...). The
 * diagonal (a pod to itself) is never compared: that traffic stays in the pod (upstream ignores loopback).
 */
public final class Reachability {
    private final List<String> pods = NetpolWorld.allPods();
    private final boolean[][] allowed;

    public Reachability(boolean initial) {
        allowed = new boolean[pods.size()][pods.size()];
        for (boolean[] row : allowed) {
            java.util.Arrays.fill(row, initial);
        }
    }

    public static Reachability allowAll() {
        return new Reachability(true);
    }

    /** A peer pattern: a namespace and/or pod name, null = any. */
    public record Peer(String namespace, String pod) {
        public static Peer any() {
            return new Peer(null, null);
        }

        public static Peer ns(String namespace) {
            return new Peer(namespace, null);
        }

        public static Peer pod(String qualified) {
            int slash = qualified.indexOf('/');
            return new Peer(qualified.substring(0, slash), qualified.substring(slash + 1));
        }

        boolean matches(String qualified) {
            int slash = qualified.indexOf('/');
            return (namespace == null || namespace.equals(qualified.substring(0, slash)))
                    && (pod == null || pod.equals(qualified.substring(slash + 1)));
        }
    }

    public Reachability expectPeer(Peer from, Peer to, boolean value) {
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                if (from.matches(pods.get(i)) && to.matches(pods.get(j))) {
                    allowed[i][j] = value;
                }
            }
        }
        return this;
    }

    public Reachability expect(String from, String to, boolean value) {
        return expectPeer(Peer.pod(from), Peer.pod(to), value);
    }

    public Reachability expectAllIngress(String to, boolean value) {
        return expectPeer(Peer.any(), Peer.pod(to), value);
    }

    public Reachability expectAllEgress(String from, boolean value) {
        return expectPeer(Peer.pod(from), Peer.any(), value);
    }

    public boolean get(String from, String to) {
        return allowed[pods.indexOf(from)][pods.indexOf(to)];
    }

    public void set(String from, String to, boolean value) {
        allowed[pods.indexOf(from)][pods.indexOf(to)] = value;
    }

    /** The cells (diagonal excluded) where {@code actual} differs, as "x/a→y/b expected X got Y" lines; empty when equal. */
    public String differences(Reachability actual) {
        StringBuilder sb = new StringBuilder();
        for (String from : pods) {
            for (String to : pods) {
                if (!from.equals(to) && get(from, to) != actual.get(from, to)) {
                    sb.append(from).append(" → ").append(to).append(": expected ").append(get(from, to) ? "allowed" : "denied")
                            .append(", got ").append(actual.get(from, to) ? "allowed" : "denied").append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** The table as the upstream suite prints it ('.' allowed, 'X' denied, '-' the diagonal). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("      ");
        for (String to : pods) {
            sb.append(to).append(' ');
        }
        sb.append('\n');
        for (String from : pods) {
            sb.append(from).append("   ");
            for (String to : pods) {
                sb.append("  ").append(from.equals(to) ? '-' : get(from, to) ? '.' : 'X').append("  ");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
