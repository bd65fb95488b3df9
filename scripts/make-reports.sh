#!/usr/bin/env bash
# Writes reports/ from every scenario in pcaps/: for each pcaps/NAME/ with a
# plan.yaml, runs the verifier on its captures (in the order expected.json
# lists them) into reports/NAME/. Until `verify` exists, decodes them.
set -euo pipefail
bin=${1:-.build/release/crosswire}
cd "$(dirname "$0")/.."
mkdir -p reports
shopt -s nullglob
count=0
for plan in pcaps/*/plan.yaml; do
    dir=$(dirname "$plan"); name=$(basename "$dir")
    mapfile -t caps < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["captures"]))' "$dir/expected.json" 2>/dev/null || ls "$dir"/*.pcap)
    paths=()
    for c in "${caps[@]}"; do case "$c" in /*|pcaps/*) paths+=("$c");; *) paths+=("$dir/$c");; esac; done
    mkdir -p "reports/$name"
    for p in "${paths[@]}"; do "$bin" decode "$p" > "reports/$name/$(basename "$p").txt"; done
    count=$((count + 1))
done
echo "reports: $count scenarios written to reports/"
