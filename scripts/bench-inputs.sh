#!/usr/bin/env bash
# The captures the benchmark files are made of, one path a line: the
# well-formed classic Ethernet captures of the conformance corpus with VXLAN,
# GENEVE, TCP, BGP or OSPF (its MANIFESTs say which), without the single 80 kB
# BIG TCP frames, which would outweigh everything else in bytes; then the
# lab's captures in pcaps/. Used by bench-compare.sh and bench-scaling.sh.
#
#   CORPUS=Tests/Corpus scripts/bench-inputs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-Tests/Corpus}
for part in tcpdump generated; do
    manifest=$CORPUS/$part/MANIFEST.tsv
    [[ -f $manifest ]] || continue
    awk -F'\t' -v dir="$CORPUS/$part/pcaps/" 'NR > 1 && $5 == "no" && $2 == "ether(1)" && $1 ~ /\.pcap$/ && $1 !~ /^bigtcp/ &&
        $8 ~ /(vxlan|geneve|tcp|bgp|ospf)/ { print dir $1 }' "$manifest"
done
for f in pcaps/*/*.pcap; do [[ -f $f ]] && echo "$f"; done
exit 0
