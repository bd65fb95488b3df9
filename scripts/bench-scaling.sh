#!/usr/bin/env bash
# Scaling: time and peak memory of `crosswire verify` (one and two threads) and
# of libpcap's bare read loop at 10k, 100k, 1M and 10M packets of the same mix,
# to show that time grows linearly with the file and memory does not grow.
#
#   scripts/bench-scaling.sh            (or: make bench-scaling)
#
# Environment (all optional):
#   SIZES      packet counts (default "10000 100000 1000000 10000000"; 10M is a 2.9 GB file)
#   ROUNDS     runs of each command per size; the median is kept (default 3)
#   OUT_DIR    scratch folder for the captures, never committed (default /tmp/crosswire-bench)
#   CROSSWIRE  the crosswire binary (default .build/release/crosswire, built when missing)
#   CORPUS     the conformance corpus (default Tests/Corpus)
#   PLAN       the plan (default pcaps/10-vxlan-8472/plan.yaml)
#
# The captures are made by scripts/make-big-pcap.py from scripts/bench-inputs.sh,
# like bench-compare's, and read once into the page cache before they are timed
# (the machine needs memory for the largest one; the 10M file is dropped from
# the cache and deleted afterwards unless KEEP=1). Prints a Markdown table and
# keeps a copy in $OUT_DIR/bench-scaling.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SIZES=${SIZES:-10000 100000 1000000 10000000}
ROUNDS=${ROUNDS:-3}
OUT_DIR=${OUT_DIR:-/tmp/crosswire-bench}
CROSSWIRE=${CROSSWIRE:-$ROOT/.build/release/crosswire}
CORPUS=${CORPUS:-$ROOT/Tests/Corpus}
PLAN=${PLAN:-pcaps/10-vxlan-8472/plan.yaml}
mkdir -p "$OUT_DIR"
log() { echo "bench-scaling: $*" >&2; }

[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
FLOOR=$OUT_DIR/pcap_floor
if [[ ! -x $FLOOR || bench/pcap_floor.c -nt $FLOOR ]]; then
    cc -O2 -o "$FLOOR" bench/pcap_floor.c -lpcap
fi
[[ -x $CROSSWIRE ]] || swift build -c release --static-swift-stdlib --product crosswire >&2
mapfile -t inputs < <(CORPUS=$CORPUS scripts/bench-inputs.sh)
[[ ${#inputs[@]} -gt 0 ]] || { log "no input captures found under $CORPUS or pcaps/"; exit 2; }

# One timed run: prints "seconds maxrss_kb".
timed() {
    local start end status=0
    start=$(date +%s%N)
    /usr/bin/time -f %M -o "$OUT_DIR/rss.txt" "$@" >/dev/null 2>"$OUT_DIR/stderr.txt" || status=$?
    end=$(date +%s%N)
    # verify exits 1 when a check fails (the mixed file fails some): a verdict, not an error.
    if ((status > 1)); then log "failed ($status): $* — $(tail -1 "$OUT_DIR/stderr.txt")"; exit 2; fi
    awk -v a="$start" -v b="$end" -v m="$(tail -1 "$OUT_DIR/rss.txt")" 'BEGIN { printf "%.4f %d\n", (b - a) / 1e9, m }'
}

# The median seconds and the largest peak RSS over ROUNDS runs: prints "seconds maxrss_kb".
measure() {
    local r out
    for ((r = 0; r < ROUNDS; r++)); do timed "$@"; done | sort -n | awk -v n="$ROUNDS" '
        { s[NR] = $1; if ($2 > m) m = $2 }
        END { printf "%s %d\n", s[int((n + 1) / 2)], m }'
}

results=$OUT_DIR/bench-scaling.tsv
printf 'packets\tbytes\tfloor_s\tfloor_kb\tverify1_s\tverify1_kb\tverify2_s\tverify2_kb\n' >"$results"
for n in $SIZES; do
    file=$OUT_DIR/big-$n.pcap
    made=0
    if [[ ! -s $file ]]; then
        log "writing $file"
        python3 scripts/make-big-pcap.py -n "$n" -o "$file" "${inputs[@]}" 2>/dev/null
        made=1
    fi
    cat "$file" >/dev/null
    bytes=$(stat -c %s "$file")
    log "$n packets: floor"
    read -r fs fk <<<"$(measure "$FLOOR" "$file")"
    log "$n packets: verify -j 1"
    read -r v1s v1k <<<"$(measure "$CROSSWIRE" verify -j 1 --plan "$PLAN" "$file" --format json --output "$OUT_DIR/scaling-out" -q)"
    log "$n packets: verify -j 2"
    read -r v2s v2k <<<"$(measure "$CROSSWIRE" verify -j 2 --plan "$PLAN" "$file" --format json --output "$OUT_DIR/scaling-out" -q)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$bytes" "$fs" "$fk" "$v1s" "$v1k" "$v2s" "$v2k" >>"$results"
    if ((n >= 10000000)) && ((made)) && [[ ${KEEP:-0} != 1 ]]; then rm -f "$file"; fi
done

{
    echo "## bench-scaling: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, Linux $(uname -r);"\
        "plan \`$PLAN\`; median of $ROUNDS runs, file in the page cache; peak RSS from GNU time."
    echo
    python3 - "$results" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
print("| packets | file (MiB) | floor (s) | verify -j 1 (s) | ns/packet | verify -j 2 (s) | ns/packet | -j 2 ÷ floor | peak RSS floor / -j 1 / -j 2 (MiB) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n, b, fs, fk, v1s, v1k, v2s, v2k in rows:
    n = int(n)
    print("| {:,} | {:,.0f} | {:.3f} | {:.3f} | {:.0f} | {:.3f} | {:.0f} | {:.2f}× | {:.0f} / {:.0f} / {:.0f} |".format(
        n, int(b) / 2**20, float(fs), float(v1s), float(v1s) / n * 1e9, float(v2s), float(v2s) / n * 1e9,
        float(v2s) / float(fs), int(fk) / 1024, int(v1k) / 1024, int(v2k) / 1024))
EOF
} | tee "$OUT_DIR/bench-scaling.md"
