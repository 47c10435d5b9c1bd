package io.podswitch.daemon.egress;

import static io.podswitch.nativeio.NftLayouts.NFPROTO_INET;

import io.podswitch.config.model.ClusterConfig;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.nativeio.NfTables;
import io.podswitch.nativeio.NftBatch;
import java.util.Objects;

/**
 * Pods → outside the cluster (docs/egress.md): the node forwards their traffic (see
 * {@link ForwardingSysctls}), the kernel's netfilter masquerades it to the node's address
 * ({@link MasqueradeTable}, programmed through nf_tables netlink; conntrack keeps each connection's
 * mapping, so established connections survive a restart of podswitchd), and a FORWARD policy of DROP
 * does not stop it ({@link ForwardPolicyGuard}).
 *
 * <table>
 *   <tr><th>when</th><th>table {@code inet podswitch}</th></tr>
 *   <tr><td>start</td><td>replaced atomically (one transaction), or removed with {@code masquerade: false}</td></tr>
 *   <tr><td>reload</td><td>replaced when the masquerade settings or cluster ranges changed</td></tr>
 *   <tr><td>every {@link #CHECK_PERIOD_MS}</td><td>re-created if someone removed it ({@code nft flush ruleset})</td></tr>
 *   <tr><td>clean stop (SIGTERM)</td><td>removed, with the FORWARD accept rules</td></tr>
 *   <tr><td>kill -9</td><td>stays: harmless (only pods' traffic matches, and none flows while the switch is
 *       down), and replaced in the same transaction at the next start</td></tr>
 * </table>
 * Control thread only.
 */
public final class EgressManager implements AutoCloseable {
    /** How often the table and the FORWARD accept rules are checked. */
    public static final long CHECK_PERIOD_MS = 10_000;

    private final String hostPort;
    private NfTables nft;
    private ForwardPolicyGuard guard;
    /** What the kernel holds: the table in force, or null when there is none. */
    private MasqueradeTable programmed;

    private EgressManager(String hostPort) {
        this.hostPort = hostPort;
    }

    /**
     * Enables forwarding, programs (or removes) the masquerade table and lets pods through a FORWARD DROP.
     * With masquerading on, a kernel that refuses the table fails the start (the message says how to run
     * without); with it off, nf_tables trouble is only logged.
     */
    public static EgressManager start(ClusterConfig config, String hostPort) {
        ForwardingSysctls.system().enable(config.ipFamilies());
        EgressManager egress = new EgressManager(hostPort);
        try {
            egress.program(config);
        } catch (RuntimeException e) {
            if (config.masquerade().enabled()) {
                egress.close();
                throw new IllegalStateException("masquerade: cannot program nf_tables (" + e.getMessage()
                        + "); set masquerade: false in the cluster config to run without it", e);
            }
            DaemonLog.warn("nf_tables unavailable (masquerade is off; a FORWARD policy of DROP is not handled)", e);
        }
        egress.checkForwardPolicy();
        return egress;
    }

    /**
     * Brings the kernel to {@code config}'s masquerade settings (reload); nothing happens when they did not
     * change. A refusal throws and leaves the running table as it was (one transaction).
     *
     * @return a summary for the reload answer ("unchanged", "table replaced", "off")
     */
    public String apply(ClusterConfig config) {
        MasqueradeTable next = config.masquerade().enabled() ? MasqueradeTable.of(config) : null;
        if (nft != null && Objects.equals(next, programmed)) {
            return "unchanged";
        }
        program(config);
        return next == null ? "off (table removed)" : "table replaced";
    }

    private void program(ClusterConfig config) {
        if (nft == null) {
            nft = NfTables.open();
            guard = new ForwardPolicyGuard(nft, hostPort);
        }
        MasqueradeTable next = config.masquerade().enabled() ? MasqueradeTable.of(config) : null;
        try (NftBatch batch = nft.batch()) {
            if (next == null) {
                MasqueradeTable.removeIn(batch);
            } else {
                next.replaceIn(batch);
            }
            nft.commit(batch);
        }
        programmed = next;
        DaemonLog.info(next == null ? "masquerade: off (no table inet " + MasqueradeTable.TABLE + ")"
                : "masquerade: table inet " + MasqueradeTable.TABLE + " programmed (pods " + describe(next)
                        + " → outside the cluster leave with the node's address)");
    }

    private static String describe(MasqueradeTable table) {
        java.util.List<String> pods = new java.util.ArrayList<>();
        table.pods4().forEach(p -> pods.add(p.toString()));
        table.pods6().forEach(p -> pods.add(p.toString()));
        return String.join(", ", pods);
    }

    /**
     * Periodically: puts the table back if it vanished (an {@code nft flush ruleset}, a firewall reload) and
     * re-checks the FORWARD policy (Docker may have started since). Failures are logged, never thrown.
     */
    public void check() {
        if (nft == null) {
            return;
        }
        try {
            if (programmed != null && !nft.tableExists(NFPROTO_INET, MasqueradeTable.TABLE)) {
                DaemonLog.info("masquerade: table inet " + MasqueradeTable.TABLE + " was removed by someone else "
                        + "(nft flush ruleset?); programming it again");
                try (NftBatch batch = nft.batch()) {
                    programmed.replaceIn(batch);
                    nft.commit(batch);
                }
            }
        } catch (RuntimeException e) {
            DaemonLog.warn("masquerade: checking table inet " + MasqueradeTable.TABLE + " failed", e);
        }
        checkForwardPolicy();
    }

    private void checkForwardPolicy() {
        if (guard == null) {
            return;
        }
        try {
            guard.reconcile();
        } catch (RuntimeException e) {
            DaemonLog.warn("checking the kernel's FORWARD policy failed", e);
        }
    }

    /** Clean shutdown: removes the table and the FORWARD accept rules. Failures are logged. */
    @Override
    public void close() {
        if (nft == null) {
            return;
        }
        try (NftBatch batch = nft.batch()) {
            MasqueradeTable.removeIn(batch);
            nft.commit(batch);
            programmed = null;
        } catch (RuntimeException e) {
            DaemonLog.warn("masquerade: cannot remove table inet " + MasqueradeTable.TABLE, e);
        }
        try {
            guard.remove();
        } catch (RuntimeException e) {
            DaemonLog.warn("cannot remove the FORWARD accept rules for " + hostPort, e);
        }
        nft.close();
        nft = null;
    }
}
