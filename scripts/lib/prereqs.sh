# Sourced by scripts/test and scripts/demo: makes sure the Debian/Ubuntu packages a command needs are
# there. As root, installs what is missing with apt-get and says what; otherwise prints one line naming
# what to install (as root) and returns 1, so the caller can go on without it or stop.

# Debian/Ubuntu package names.
PODSWITCH_BUILD_PACKAGES="maven"
# What the integration tests and the smoke benchmarks drive: namespaces and veths (iproute2), traffic
# (ping, iperf3, trafgen from netsniff-ng, python3 for raw frames), captures (tcpdump, tshark), DPDK
# baselines (dpdk: testpmd), the stock CNI plugins and kube-proxy's rule engines (iptables, nftables,
# ipvsadm; ipset for the policy bench's Calico-style rules), real runtimes (podman with runc, containerd,
# busybox-static for the test images) and a real Prometheus (prometheus, promtool).
PODSWITCH_TEST_PACKAGES="iproute2 iputils-ping iperf3 tcpdump tshark netsniff-ng ethtool dpdk dpdk-dev
  containernetworking-plugins iptables nftables ipvsadm ipset kmod procps python3 util-linux
  podman runc busybox-static containerd prometheus"
# The live demo: namespaces, ping, iperf3.
PODSWITCH_DEMO_PACKAGES="iproute2 iputils-ping iperf3 procps util-linux"

# Prints the packages of "$@" that are not installed (all of them when dpkg is not there to ask).
podswitch_missing_packages() {
    local p missing=""
    for p in "$@"; do
        if ! command -v dpkg-query >/dev/null 2>&1 \
                || ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    echo "${missing# }"
}

# podswitch_require_packages PURPOSE PACKAGE... — 0 when all are there (or were installed now).
podswitch_require_packages() {
    local purpose=$1; shift
    local missing
    missing=$(podswitch_missing_packages "$@")
    [ -z "$missing" ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "podswitch: $purpose needs these (Debian/Ubuntu names; install your distribution's equivalents): $missing" >&2
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "podswitch: $purpose needs: $missing — as root run: apt-get install -y $missing" >&2
        return 1
    fi
    echo "podswitch: installing for $purpose: $missing"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "${PODSWITCH_APT_UPDATED:-}" ]; then
        apt-get update -qq || { echo "podswitch: apt-get update failed" >&2; return 1; }
        PODSWITCH_APT_UPDATED=1
    fi
    # shellcheck disable=SC2086
    if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
        echo "podswitch: apt-get install $missing failed" >&2
        return 1
    fi
}
