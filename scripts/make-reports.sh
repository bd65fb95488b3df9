#!/usr/bin/env bash
# Writes reports/ from every scenario in pcaps/: for each pcaps/NAME/ with a
# plan.yaml, verifies its captures (in the order expected.json lists them)
# into reports/NAME/ in every format, with the evidence frames as a pcap.
# Paths are relative to the repository root, so the reports are reproducible
# (a test compares them with a fresh run).
set -euo pipefail
bin=${1:-.build/release/crosswire}
cd "$(dirname "$0")/.."
mkdir -p reports
shopt -s nullglob
count=0; failing=0
for plan in pcaps/*/plan.yaml; do
    dir=$(dirname "$plan"); name=$(basename "$dir")
    mapfile -t caps < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["captures"]))' "$dir/expected.json")
    paths=()
    for c in "${caps[@]}"; do paths+=("$dir/$c"); done
    rm -rf "reports/$name"
    set +e
    "$bin" verify --plan "$plan" "${paths[@]}" --format md --format html --format json --format junit \
        --output "reports/$name" --evidence "reports/$name/evidence.pcap" > "/tmp/crosswire-make-reports.$$"
    rc=$?
    printf '%-30s %s\n' "$name" "$(grep '^crosswire: ' "/tmp/crosswire-make-reports.$$" | sed 's/^crosswire: //')"
    rm -f "/tmp/crosswire-make-reports.$$"
    set -e
    case $rc in
        0) ;;
        1) failing=$((failing + 1)) ;;
        *) echo "make-reports: $name: verify exited $rc" >&2; exit "$rc" ;;
    esac
    count=$((count + 1))
done
echo "reports: $count scenarios verified into reports/ ($failing with failing checks, as their plans intend)"
