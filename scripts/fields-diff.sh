#!/usr/bin/env bash
# `decode` must print the same bytes as a reference binary: every corpus and
# lab capture with -T fields (the benchmark's 18 fields, every field at once,
# the control-plane fields, the -E options, -c), -T text and -T json; plus
# BIG_PCAP (when set) with the 18 fields and with every field. Standard error
# and the exit status are compared too.
#
#   BASE=/tmp/crosswire-before scripts/fields-diff.sh      (NEW defaults to .build/release/crosswire)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:?set BASE to the reference crosswire binary}
NEW=${NEW:-.build/release/crosswire}
OUT=$(mktemp -d /tmp/crosswire-fields-diff.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

BENCH=(frame.number frame.len eth.src eth.dst vlan.id ip.src ip.dst ip.ttl ip.proto ip.id
    ipv6.src ipv6.dst udp.srcport udp.dstport tcp.srcport tcp.dstport vxlan.vni geneve.vni)
mapfile -t ALL < <("$NEW" decode --help | tr ' ' '\n' | grep -E '^[a-z0-9_]+\.[a-z0-9_.]+$' | sort -u)
CONTROL=(bgp.type bgp.nlri_prefix bgp.withdrawn_prefix bgp.update.path_attribute.next_hop ospf.msg ospf.srcrouter ospf.area_id)
((${#ALL[@]} > 50)) || { echo "fields-diff: could not read the field list from decode --help" >&2; exit 2; }
args() { local a=() f; for f in "$@"; do a+=(-e "$f"); done; echo "${a[@]}"; }
read -r -a bench <<<"$(args "${BENCH[@]}")"
read -r -a all <<<"$(args "${ALL[@]}")"
read -r -a control <<<"$(args "${CONTROL[@]}")"
# Every field in reverse order, then some asked for again.
AGAIN=(frame.number ip.src ip.src)
read -r -a reversed <<<"$(args $(printf '%s\n' "${ALL[@]}" | tac) "${AGAIN[@]}")"

runs=0 failed=0
# same ARGS...: both binaries, same stdout, stderr and status
same() {
    local s1=0 s2=0
    "$BASE" "$@" >"$OUT/a" 2>"$OUT/ae" || s1=$?
    "$NEW" "$@" >"$OUT/b" 2>"$OUT/be" || s2=$?
    runs=$((runs + 1))
    if ! cmp -s "$OUT/a" "$OUT/b" || ! cmp -s "$OUT/ae" "$OUT/be" || ((s1 != s2)); then
        failed=$((failed + 1))
        echo "DIFFERS (status $s1 vs $s2): crosswire $*" >&2
        diff <(head -c 100000000 "$OUT/a") <(head -c 100000000 "$OUT/b") | head -5 >&2 || true
        diff "$OUT/ae" "$OUT/be" | head -3 >&2 || true
    fi
}

mapfile -t files < <(find Tests/Corpus pcaps -name '*.pcap' -o -name '*.pcapng' | sort)
for f in "${files[@]}"; do
    same decode "$f" -T fields "${bench[@]}"
    same decode "$f" -T fields "${all[@]}"
    same decode "$f" -T fields -E header=y "${control[@]}" -e frame.number
    same decode "$f" -T fields -E header=y -E separator=/s -E quote=n -E occurrence=a -E aggregator=, "${reversed[@]}"
    same decode "$f" -T fields -E separator=, -E header=n -c 3 "${bench[@]}"
    same decode "$f" -T fields -E separator=/t --vxlan-port 4790 --geneve-port 6082 "${all[@]}"
    same decode "$f"
    same decode "$f" -T json -c 50
done
# standard input and a few one-field runs over everything
f=${files[0]}
same decode - -T fields "${bench[@]}" <"$f"
for field in "${ALL[@]}"; do
    for f in Tests/Corpus/generated/pcaps/synthetic-*.pcap*; do same decode "$f" -T fields -e "$field"; done
done
if [[ -n ${BIG_PCAP:-} ]]; then
    same decode "$BIG_PCAP" -T fields "${bench[@]}"
    same decode "$BIG_PCAP" -T fields "${all[@]}"
fi
echo "fields-diff: $runs runs over ${#files[@]} captures${BIG_PCAP:+ and $BIG_PCAP}, $failed differ" >&2
((failed == 0))
