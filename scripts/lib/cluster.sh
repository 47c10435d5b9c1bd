# Sourced by scripts/demo: a podswitch cluster of network namespaces on one machine, nothing on the host.
#
#   psd<id>-ul: bridge br0 (the underlay) ── u1 ═ eth0 192.168.77.11/24 fd00:77::b/64 :psd<id>-node-a ─ podswitchd
#                                        ── u2 ═ eth0 192.168.77.12/24 fd00:77::c/64 :psd<id>-node-b ─ podswitchd
#                                        ── u3 ═ …                                   :psd<id>-node-c ─ podswitchd
#                                        ── ui ═ eth0 192.168.77.254 fd00:77::fe :psd<id>-internet
#                                                    ("the internet": every node's default gateway, with
#                                                     203.0.113.10 and 2001:db8:77::10; no route to pods)
#   pods: namespaces psd<id>-<pod>, wired by the CNI plugin against their node's podswitchd
#
# With the API server as the source (cluster_init's SOURCE = kubernetes), a TEST API server runs in the
# underlay namespace on 192.168.77.250:6443 (`podswitch dev api-server`), the cluster file lists no node,
# and each node is a Node object made with kubectl (cluster_node_object).
#
# Every name carries a random id; cluster_teardown (run it from an EXIT trap) kills the daemons and
# deletes every namespace and the work directory.
# Needs: $bin (the launchers), and sets CLUSTER_ID, CLUSTER_WORK, CLUSTER_NODES.

cluster_init() { # NODES MODE [ATTACH] [SOURCE]
    CLUSTER_ID=$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
    CLUSTER_WORK=$(mktemp -d /tmp/podswitch-demo.XXXXXX)
    CLUSTER_NODES=$1
    CLUSTER_MODE=$2
    CLUSTER_ATTACH=${3:-}
    CLUSTER_SOURCE=${4:-file}
    CLUSTER_API_PID=
    CLUSTER_NS=()
    CLUSTER_PODS=()
    declare -gA CLUSTER_PID=() POD_NODE=() POD_IP4=() POD_IP6=()
}

cluster_node_name() { echo "node-$(printf "\\x$(printf %x $((96 + $1)))")"; }   # 1 -> node-a
cluster_node_ns() { echo "psd$CLUSTER_ID-$(cluster_node_name "$1")"; }
cluster_node_ip4() { echo "192.168.77.$((10 + $1))"; }
cluster_node_ip6() { printf 'fd00:77::%x\n' $((10 + $1)); }
cluster_socket() { echo "$CLUSTER_WORK/$(cluster_node_name "$1")/run/podswitchd.sock"; }
cluster_stats() { echo "$CLUSTER_WORK/$(cluster_node_name "$1")/run/stats"; }

cluster_netns() { # NAME
    ip netns add "$1"
    CLUSTER_NS+=("$1")
    ip -n "$1" link set lo up
}

# The underlay bridge and every node: uplink veth eth0 with its addresses, no DAD (podswitchd turns
# forwarding on itself).
cluster_build() {
    local ul="psd$CLUSTER_ID-ul" i ns
    cluster_netns "$ul"
    ip -n "$ul" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n "$ul" link set br0 up
    for i in $(seq "$CLUSTER_NODES"); do
        ns=$(cluster_node_ns "$i")
        cluster_netns "$ns"
        ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
        ip -n "$ul" link add "u$i" type veth peer name eth0 netns "$ns"
        ip -n "$ul" link set "u$i" master br0 up
        ip netns exec "$ul" ethtool -K "u$i" gro on >/dev/null 2>&1 || true
        ip -n "$ns" link set eth0 up
        ip -n "$ns" addr add "$(cluster_node_ip4 "$i")/24" dev eth0
        ip -n "$ns" addr add "$(cluster_node_ip6 "$i")/64" dev eth0 nodad
    done
}

CLUSTER_API=192.168.77.250:6443
# kubectl against the test API server (from the underlay namespace, where it listens).
cluster_kubectl() {
    ip netns exec "psd$CLUSTER_ID-ul" kubectl --kubeconfig "$CLUSTER_WORK/kubeconfig" "$@"
}

# The TEST API server in the underlay namespace; waits until kubectl gets an answer.
cluster_api_start() {
    local ul="psd$CLUSTER_ID-ul"
    ip -n "$ul" addr add "${CLUSTER_API%:*}/24" dev br0
    ip netns exec "$ul" "$bin/podswitch" dev api-server --listen "$CLUSTER_API" --kubeconfig "$CLUSTER_WORK/kubeconfig" \
        > "$CLUSTER_WORK/api-server.log" 2>&1 &
    CLUSTER_API_PID=$!
    for _ in $(seq 300); do
        cluster_kubectl get nodes >/dev/null 2>&1 && return 0
        kill -0 "$CLUSTER_API_PID" 2>/dev/null || { cat "$CLUSTER_WORK/api-server.log" >&2; return 1; }
        sleep 0.1
    done
    echo "demo: the test API server did not answer" >&2; return 1
}

# Node i as kubelet and kube-controller-manager fill it in: pod CIDRs and InternalIPs (kubectl apply).
cluster_node_object() { # NODE
    local i=$1
    printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s}\nspec: {podCIDR: 10.244.%d.0/24, podCIDRs: [10.244.%d.0/24, "fd00:10:244:%x::/64"]}\nstatus:\n  addresses:\n  - {type: InternalIP, address: %s}\n  - {type: InternalIP, address: "%s"}\n' \
        "$(cluster_node_name "$i")" "$i" "$i" "$i" "$(cluster_node_ip4 "$i")" "$(cluster_node_ip6 "$i")" \
        | cluster_kubectl apply --validate=false -f -
}

CLUSTER_INTERNET4=203.0.113.10
CLUSTER_INTERNET6=2001:db8:77::10

# "The internet" on the underlay: the nodes' default gateway, holding addresses outside every cluster
# range. It has no route to the pod CIDRs, so a pod reaches it only with the node's address (masquerade).
cluster_internet() {
    local ul="psd$CLUSTER_ID-ul" ns="psd$CLUSTER_ID-internet" i
    cluster_netns "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0
    ip -n "$ul" link add ui type veth peer name eth0 netns "$ns"
    ip -n "$ul" link set ui master br0 up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" addr add 192.168.77.254/24 dev eth0
    ip -n "$ns" addr add fd00:77::fe/64 dev eth0 nodad
    ip -n "$ns" addr add "$CLUSTER_INTERNET4/32" dev lo
    ip -n "$ns" addr add "$CLUSTER_INTERNET6/128" dev lo
    for i in $(seq "$CLUSTER_NODES"); do
        ip -n "$(cluster_node_ns "$i")" route add default via 192.168.77.254
        ip -n "$(cluster_node_ns "$i")" -6 route add default via fd00:77::fe
    done
}

# The cluster YAML every node reads (dual-stack, IPv4 primary; node i owns 10.244.i.0/24 and fd00:10:244:i::/64).
# With the API server as the source: no nodes at all, only the CIDRs, the overlay and the uplink.
cluster_config() {
    local i uplink="{interface: eth0, mtu: 1500${CLUSTER_ATTACH:+, attach: $CLUSTER_ATTACH}}"
    {
        if [ "$CLUSTER_SOURCE" = kubernetes ]; then
            echo "source: kubernetes"
            echo "kubernetes: {kubeconfig: $CLUSTER_WORK/kubeconfig}"
        fi
        echo "ipFamilies: [IPv4, IPv6]"
        echo "podCIDRs: [10.244.0.0/16, \"fd00:10:244::/56\"]"
        echo "serviceCIDRs: [10.96.0.0/16, \"fd00:10:96::/112\"]"
        echo "nodeCIDRs: [192.168.77.0/24, \"fd00:77::/64\"]"
        echo "overlay:"
        echo "  mode: $CLUSTER_MODE"
        [ "$CLUSTER_MODE" = direct ] || echo "  vni: 42"
        if [ "$CLUSTER_SOURCE" = kubernetes ]; then
            echo "uplink: $uplink"
        else
            echo "nodes:"
            for i in $(seq "$CLUSTER_NODES"); do
                echo "  - name: $(cluster_node_name "$i")"
                echo "    addresses: [$(cluster_node_ip4 "$i"), \"$(cluster_node_ip6 "$i")\"]"
                printf '    podCIDRs: [10.244.%d.0/24, "fd00:10:244:%x::/64"]\n' "$i" "$i"
                echo "    uplink: $uplink"
            done
        fi
    } > "$CLUSTER_WORK/cluster.yaml"
}

# Starts every node's podswitchd inside its namespace (in parallel) and waits for the control sockets.
cluster_start() {
    local i
    cluster_launch
    for i in $(seq "$CLUSTER_NODES"); do
        cluster_wait "$i" || return 1
    done
}

# Starts every node's podswitchd (in parallel), not waiting.
cluster_launch() {
    local i name
    for i in $(seq "$CLUSTER_NODES"); do
        name=$(cluster_node_name "$i")
        mkdir -p "$CLUSTER_WORK/$name"
        ip netns exec "$(cluster_node_ns "$i")" "$bin/podswitchd" --config "$CLUSTER_WORK/cluster.yaml" --node "$name" \
            --state-dir "$CLUSTER_WORK/$name/state" --run-dir "$CLUSTER_WORK/$name/run" --idle backoff --frames 8192 \
            > "$CLUSTER_WORK/$name/podswitchd.log" 2>&1 &
        CLUSTER_PID[$i]=$!
    done
}

# Waits until node i's podswitchd answers on its control socket (with the API server: once its Node exists).
cluster_wait() { # NODE
    local i=$1
    for _ in $(seq 600); do
        [ -S "$(cluster_socket "$i")" ] && return 0
        if ! kill -0 "${CLUSTER_PID[$i]}" 2>/dev/null; then
            echo "demo: podswitchd on $(cluster_node_name "$i") exited:" >&2
            cat "$CLUSTER_WORK/$(cluster_node_name "$i")/podswitchd.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "demo: podswitchd on $(cluster_node_name "$i") did not start" >&2; return 1
}

cluster_cni() { # COMMAND POD NODE
    local netconf='{"cniVersion":"1.1.0","name":"podswitch-demo","type":"podswitch-cni","socket":"'$(cluster_socket "$3")'"}'
    CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/psd$CLUSTER_ID-$2 CNI_IFNAME=eth0 CNI_PATH=$bin \
        "$bin/podswitch-cni" <<< "$netconf"
}

# Creates pod POD on node NODE through the CNI plugin, as a container runtime does; prints the result.
cluster_pod() { # POD NODE
    local pod=$1 node=$2 result
    cluster_netns "psd$CLUSTER_ID-$pod"
    CLUSTER_PODS+=("$pod")
    POD_NODE[$pod]=$node
    result=$(cluster_cni ADD "$pod" "$node")
    POD_IP4[$pod]=$(grep -oE '"address": *"[0-9.]+/' <<< "$result" | head -1 | sed -E 's/.*"([0-9.]+)\//\1/')
    POD_IP6[$pod]=$(grep -oE '"address": *"[0-9a-f:]+/' <<< "$result" | head -1 | sed -E 's/.*"([0-9a-f:]+)\//\1/')
    echo "   $pod on $(cluster_node_name "$node"): ${POD_IP4[$pod]}  ${POD_IP6[$pod]}"
}

pod_exec() { # POD command...
    local pod=$1; shift
    ip netns exec "psd$CLUSTER_ID-$pod" "$@"
}

node_exec() { # NODE command...
    local node=$1; shift
    ip netns exec "$(cluster_node_ns "$node")" "$@"
}

cluster_teardown() {
    set +e
    local i n
    for i in "${!CLUSTER_PID[@]}"; do
        kill "${CLUSTER_PID[$i]}" 2>/dev/null
    done
    for i in "${!CLUSTER_PID[@]}"; do
        wait "${CLUSTER_PID[$i]}" 2>/dev/null
    done
    if [ -n "${CLUSTER_API_PID:-}" ]; then
        kill "$CLUSTER_API_PID" 2>/dev/null
        wait "$CLUSTER_API_PID" 2>/dev/null
    fi
    for (( i=${#CLUSTER_NS[@]}-1; i>=0; i-- )); do
        n=${CLUSTER_NS[$i]}
        # leftover tools (iperf3 servers) in the namespace go first, then the namespace with its links
        ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$n" 2>/dev/null
    done
    [ -n "${CLUSTER_WORK:-}" ] && rm -rf "$CLUSTER_WORK"
}
