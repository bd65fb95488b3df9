#!/usr/bin/env bash
# The multi-capture proof: NAT proven on two large captures of two points,
# read interleaved by time, with host2's clock 90 s ahead (scripts/make-two-points.py).
# Prints time, peak RSS, the clock offset found and nat.source's summary.
#
#   scripts/bench-two-points.sh            COUNT (default 5000000 per capture) and SKEW (default 90) from the environment
#   CROSSWIRE  the binary (default .build/release/crosswire), OUT_DIR scratch (default /tmp/crosswire-two-points)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5000000}
SKEW=${SKEW:-90}
OUT_DIR=${OUT_DIR:-/tmp/crosswire-two-points}
CROSSWIRE=${CROSSWIRE:-.build/release/crosswire}
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
[[ -x $CROSSWIRE ]] || swift build -c release --static-swift-stdlib --product crosswire >&2
echo "two-points: writing 2 x $COUNT packets to $OUT_DIR" >&2
python3 scripts/make-two-points.py "$OUT_DIR" "$COUNT" "$SKEW"
cat "$OUT_DIR/a.pcap" "$OUT_DIR/b.pcap" > /dev/null   # into the page cache
set +e
/usr/bin/time -f "%e %M" -o "$OUT_DIR/time.txt" "$CROSSWIRE" verify --plan "$OUT_DIR/plan.yaml" "$OUT_DIR/a.pcap" "$OUT_DIR/b.pcap" \
    --format json --output "$OUT_DIR/reports" -q
rc=$?
set -e
read -r seconds kib < <(tail -1 "$OUT_DIR/time.txt")
python3 - "$OUT_DIR/reports/crosswire.json" "$seconds" "$kib" "$rc" "$COUNT" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
nat = next(c for c in v["checks"] if c["id"] == "nat.source")
off = (v["metrics"].get("clock_offsets") or [{}])[0]
print("| packets | time | peak RSS | clock offset found | matched for it | nat.source | exit |")
print("|---:|---:|---:|---:|---:|---|---:|")
print("| 2 x %s | %s s | %.0f MB | %s s | %s | %s: %s | %s |" % (
    format(int(sys.argv[5]), ","), sys.argv[2], int(sys.argv[3]) / 1024, off.get("offset_seconds"), off.get("matched"),
    nat["status"], nat["summary"][:120], sys.argv[4]))
PY
rm -f "$OUT_DIR/a.pcap" "$OUT_DIR/b.pcap"
