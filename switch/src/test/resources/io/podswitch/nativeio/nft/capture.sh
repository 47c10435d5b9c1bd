#!/usr/bin/env bash
# Regenerates the golden nf_tables batches that NftBatchGoldenTest compares podswitch's encoder with:
# runs `nft -f NAME.nft` in a scratch network namespace under strace and writes the one datagram nft
# sends (BATCH_BEGIN ... BATCH_END) as hex to NAME.hex; NAME.setup.nft, when there is one, is loaded
# first and not recorded. Needs root, nft and strace. Not run by the tests.
#   switch/src/test/resources/io/podswitch/nativeio/nft/capture.sh [NAME...]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(ls *.nft | grep -v '\.setup\.nft$' | sed 's/\.nft$//'))
ns="nftgolden$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
for name in "${names[@]}"; do
    ip netns exec "$ns" nft flush ruleset
    if [ -f "$name.setup.nft" ]; then ip netns exec "$ns" nft -f "$name.setup.nft"; fi
    ip netns exec "$ns" strace -e trace=sendmsg -e write=all -o "/tmp/$ns.trace" nft -f "$name.nft"
    {
        echo "# nft $(nft --version | awk '{print $2}') sent this for $name.nft (capture.sh; BATCH_BEGIN .. BATCH_END)"
        sed -n 's/^ | [0-9a-f]\{5\}  \(.\{48\}\).*/\1/p' "/tmp/$ns.trace" | sed 's/ *$//'
    } > "$name.hex"
    rm -f "/tmp/$ns.trace"
    echo "$name.hex: $(grep -v '^#' "$name.hex" | wc -w) bytes"
done
