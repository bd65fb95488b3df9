#!/usr/bin/env bash
# Heap allocations must not grow with packet count. The release binary
# verifies and decodes the same mix of the lab's captures (pcaps/*/*.pcap,
# repeated by scripts/make-big-pcap.py) at N and 4N packets, under a
# malloc-counting shim (bench/malloc_count.c, LD_PRELOAD). Every command must
# make the same number of allocations for both sizes, within SLACK: one
# allocation per packet would add 3N, one per thousand packets 3N/1000.
#
#   scripts/alloc-check.sh            (the end of `make test`)
#
# Environment: N (default 100000), SLACK (default 16), SWIFT (default swift).
# N is large enough that the smaller run repeats the mix (about 3,600 frames)
# some 27 times: bounded lists (evidence keeps 20 frames a check, a BGP session
# 32 state changes) are then full in both runs, and only per-packet growth
# remains. With N=50000 (13 repetitions) they were not: 08-bgp's plan rose by
# 114 allocations from 50k to 200k packets, and was flat (+3) from 100k to 400k.
# A debug build allocates per packet (unspecialised generics), so the release
# binary is built when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
N=${N:-100000}
SLACK=${SLACK:-16}
BIN=.build/release/crosswire
OUT=$(mktemp -d /tmp/crosswire-alloc.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
log() { echo "alloc-check: $*" >&2; }

if [[ ! -x $BIN ]] || [[ -n $(find Sources Package.swift -newer "$BIN" -print -quit) ]]; then
    log "building the release binary"
    $SWIFT build -c release --static-swift-stdlib --product crosswire >&2
fi
cc -shared -fPIC -O2 -o "$OUT/libmalloc_count.so" bench/malloc_count.c
# The mix repeats each capture. A capture in which a BGP session opens and then
# closes (the hold timer expiring) becomes a new session at every repetition,
# and each session costs about 3 allocations of per-connection state, not
# any per packet: measured 10,152 -> 15,018 allocations for
# 20k -> 80k packets of 28-bgp-hold-timer-expired alone, about 1,620 sessions.
inputs=()
for f in pcaps/*/*.pcap; do [[ $f == pcaps/28-bgp-hold-timer-expired/* ]] || inputs+=("$f"); done
python3 scripts/make-big-pcap.py -n "$N" -o "$OUT/small.pcap" "${inputs[@]}" 2>/dev/null
python3 scripts/make-big-pcap.py -n $((4 * N)) -o "$OUT/large.pcap" "${inputs[@]}" 2>/dev/null

# count FILE ARGS...: the allocations of `crosswire ARGS` with FILE in place of @
count() {
    local file=$1 status=0
    shift
    local args=("${@/#@/$file}")
    LD_PRELOAD=$OUT/libmalloc_count.so MALLOC_COUNT_OUT=$OUT/count "$BIN" "${args[@]}" >/dev/null 2>"$OUT/stderr" || status=$?
    # verify exits 1 when a check fails (a verdict); 2 and above are errors.
    if ((status > 1)); then log "crosswire ${args[*]}: exit $status: $(tail -1 "$OUT/stderr")"; exit 1; fi
    cat "$OUT/count"
}

commands=(
    "verify -j 1 --plan pcaps/02-static-masquerade/plan.yaml @ --format json --format md --output $OUT/r -q"
    "verify -j 2 --plan pcaps/02-static-masquerade/plan.yaml @ --format json --output $OUT/r -q"
    "verify -j 1 --plan pcaps/10-vxlan-8472/plan.yaml @ --format json --output $OUT/r -q"
    "verify -j 1 --plan pcaps/08-bgp/plan.yaml @ --format json --output $OUT/r -q"
    "decode @"
    "decode @ -T json"
    "decode @ -T fields -e frame.number -e frame.protocols -e eth.src -e vlan.id -e ip.src -e ip.id -e tcp.srcport -e vxlan.vni -e crosswire.stop -e bgp.type -e bgp.nlri_prefix -e ospf.msg"
)
failed=0
printf '%-8s %-8s %s\n' "$N" "$((4 * N))" "allocations for N and 4N packets: command" >&2
for c in "${commands[@]}"; do
    read -r -a args <<<"$c"
    small=$(count "$OUT/small.pcap" "${args[@]}")
    large=$(count "$OUT/large.pcap" "${args[@]}")
    mark=""
    if ((large - small > SLACK)); then mark="  <- grows with packets"; failed=$((failed + 1)); fi
    printf '%-8s %-8s %s%s\n' "$small" "$large" "${c//$OUT/TMP}" "$mark" >&2
done
if ((failed > 0)); then
    log "$failed commands allocate more for more packets"
    exit 1
fi
log "${#commands[@]} commands: allocations do not grow with packet count ($N vs $((4 * N)) packets, slack $SLACK)"
