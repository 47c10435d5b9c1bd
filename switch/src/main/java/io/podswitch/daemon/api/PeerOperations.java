package io.podswitch.daemon.api;

import io.podswitch.api.ApiError;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.json.JsonCodec;
import io.podswitch.daemon.peers.ClusterPeers;
import io.podswitch.daemon.peers.PeerManager;
import io.podswitch.daemon.peers.PeerView;
import io.podswitch.daemon.pod.ApiException;
import io.podswitch.daemon.reload.ConfigReloader;
import io.podswitch.daemon.reload.ReloadResult;
import io.podswitch.daemon.uplink.UplinkChoice;
import io.podswitch.overlay.DecapDrop;
import io.podswitch.overlay.EncapDrop;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster side of the control API, run on the control thread: {@code GET /v1/peers} (every remote
 * node with its next hop, MAC, state and tunnel counters, plus the overlay drops by reason — drops like
 * a bad VNI or an unknown peer cannot be pinned on one peer) and {@code POST /v1/reload}.
 */
public final class PeerOperations {
    private final SwitchEngine engine;
    private final ClusterPeers cluster;
    private final PeerManager peers;
    private final ConfigReloader reloader;

    /** @param cluster null on a single-node daemon */
    public PeerOperations(SwitchEngine engine, ClusterPeers cluster, ConfigReloader reloader) {
        this.engine = engine;
        this.cluster = cluster;
        this.peers = cluster == null ? null : cluster.manager();
        this.reloader = reloader;
    }

    /**
     * {@code {"uplink": {interface, attach, configured, reason}, "peers": [{name, addresses, podCIDRs, mode,
     * underlay, nextHop, nextHopMac, state, encapPackets, encapBytes, decapPackets, decapBytes}],
     * "drops": {"encap.<reason>": n, "decap.<reason>": n}}} — {@code uplink} only on a daemon with peers;
     * {@code attach} is what runs ({@code auto} resolved), {@code reason} why.
     */
    public JsonNode peersJson() {
        ObjectNode body = JsonCodec.object();
        if (cluster != null) {
            UplinkChoice choice = cluster.choice();
            body.set("uplink", JsonCodec.object().put("interface", cluster.interfaceName())
                    .put("attach", choice.attach().configName()).put("configured", choice.configured().configName())
                    .put("reason", choice.reason()));
        }
        List<JsonNode> out = new ArrayList<>();
        if (peers != null) {
            for (PeerView p : peers.views()) {
                out.add(JsonCodec.object().put("name", p.name()).set("addresses", JsonCodec.strings(p.addresses()))
                        .set("podCIDRs", JsonCodec.strings(p.podCidrs())).put("mode", p.mode())
                        .put("underlay", p.underlay()).put("nextHop", p.nextHop()).put("nextHopMac", p.nextHopMac())
                        .put("state", p.state()).put("encapPackets", p.encapPackets()).put("encapBytes", p.encapBytes())
                        .put("decapPackets", p.decapPackets()).put("decapBytes", p.decapBytes()));
            }
        }
        ObjectNode drops = JsonCodec.object();
        for (int r = 0; r < EncapDrop.COUNT; r++) {
            drops.put("encap." + EncapDrop.name(r), engine.overlayDrops(true, r));
        }
        for (int r = 0; r < DecapDrop.COUNT; r++) {
            drops.put("decap." + DecapDrop.name(r), engine.overlayDrops(false, r));
        }
        return body.set("peers", JsonCodec.array(out)).set("drops", drops);
    }

    /** {@code {"applied": true, "summary": "..."}}; a refused reload is an error (code 7) listing why. */
    public JsonNode reloadJson() throws ApiException {
        ReloadResult result = reloader.reload("API");
        if (!result.applied()) {
            throw new ApiException(ApiError.INVALID_NETWORK_CONFIG, "reload refused: " + result.summary(),
                    String.join("\n", result.errors()));
        }
        return JsonCodec.object().put("applied", true).put("summary", result.summary());
    }
}
