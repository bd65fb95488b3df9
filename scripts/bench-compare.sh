#!/usr/bin/env bash
# Side by side on one large capture: libpcap's bare read loop (the floor),
# `crosswire decode -T fields`, `crosswire verify` (when the binary has it),
# `tcpdump -nn -r` and `tshark -T fields`, all writing to /dev/null.
#
#   scripts/bench-compare.sh            (or: make bench-compare)
#
# Environment (all optional):
#   BIG_PCAP   the capture to time; made by scripts/make-big-pcap.py when missing
#              (default $OUT_DIR/big-$PACKETS.pcap)
#   PACKETS    packets in the generated capture (default 1000000)
#   ROUNDS     rounds; each runs every tool once, in rotating order (default 5)
#   OUT_DIR    scratch folder, never committed (default /tmp/crosswire-bench)
#   CROSSWIRE  the crosswire binary (default .build/release/crosswire, built when missing)
#   CORPUS     the conformance corpus (default Tests/Corpus)
#   PLAN       the plan for `crosswire verify` (default the first pcaps/*/plan.yaml)
#   TOOLS      which tools to run, space-separated (default: floor crosswire verify1 verify tcpdump tshark;
#              verify1 is `verify -j 1`, one thread; verify is `verify -j 2`)
#
# Prints a Markdown report (machine, file, medians, packets/s, ratios, peak RSS)
# and keeps a copy in $OUT_DIR/bench-compare.md. Before each `verify -j 2` run,
# bench/cross_core.c times a hand-over of data between two threads, and the
# report lists it beside the run: on a VM it can be 5x dearer for minutes at a
# time, and -j 2 with it. Wall time is taken around each
# run in the shell; peak RSS is GNU time's %M. The capture is read once before
# the first round so that every tool finds it in the page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-5}
OUT_DIR=${OUT_DIR:-/tmp/crosswire-bench}
CROSSWIRE=${CROSSWIRE:-$ROOT/.build/release/crosswire}
CORPUS=${CORPUS:-$ROOT/Tests/Corpus}
BIG_PCAP=${BIG_PCAP:-$OUT_DIR/big-$PACKETS.pcap}
TOOLS=${TOOLS:-floor crosswire verify1 verify tcpdump tshark}
mkdir -p "$OUT_DIR"
log() { echo "bench-compare: $*" >&2; }

# The spec's field list, for crosswire and tshark alike.
FIELDS=(frame.number frame.len eth.src eth.dst vlan.id ip.src ip.dst ip.ttl ip.proto ip.id
    ipv6.src ipv6.dst udp.srcport udp.dstport tcp.srcport tcp.dstport vxlan.vni geneve.vni)
FIELD_ARGS=()
for f in "${FIELDS[@]}"; do FIELD_ARGS+=(-e "$f"); done

# --- tools -------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (peak RSS)"
    apt-get install -y -qq time >/dev/null
fi

FLOOR=$OUT_DIR/pcap_floor
if [[ ! -x $FLOOR || bench/pcap_floor.c -nt $FLOOR ]]; then
    log "building the libpcap floor: cc -O2 -o $FLOOR bench/pcap_floor.c -lpcap"
    cc -O2 -o "$FLOOR" bench/pcap_floor.c -lpcap
fi

PROBE=$OUT_DIR/cross_core
if [[ ! -x $PROBE || bench/cross_core.c -nt $PROBE ]]; then
    log "building the cross-core probe: cc -O2 -pthread -o $PROBE bench/cross_core.c"
    cc -O2 -pthread -o "$PROBE" bench/cross_core.c
fi

if [[ ! -x $CROSSWIRE ]]; then
    log "building crosswire: swift build -c release --static-swift-stdlib --product crosswire"
    swift build -c release --static-swift-stdlib --product crosswire >&2
fi

# --- the capture -------------------------------------------------------------
if [[ ! -s $BIG_PCAP ]]; then
    mapfile -t inputs < <(CORPUS=$CORPUS scripts/bench-inputs.sh)
    [[ ${#inputs[@]} -gt 0 ]] || { log "no input captures found under $CORPUS or pcaps/"; exit 2; }
    log "writing $BIG_PCAP ($PACKETS packets) from ${#inputs[@]} captures"
    python3 scripts/make-big-pcap.py -n "$PACKETS" -o "$BIG_PCAP" "${inputs[@]}"
fi
cat "$BIG_PCAP" >/dev/null # into the page cache

# --- what runs ---------------------------------------------------------------
declare -A CMD
names=()
add() { names+=("$1"); CMD[$1]=$2; }
quoted_fields=$(printf ' %q' "${FIELD_ARGS[@]}")
for tool in $TOOLS; do
    case $tool in
    floor) add "libpcap floor (pcap_next_ex)" "$(printf %q "$FLOOR") $(printf %q "$BIG_PCAP")" ;;
    crosswire) add "crosswire decode -T fields" "$(printf %q "$CROSSWIRE") decode $(printf %q "$BIG_PCAP") -T fields$quoted_fields" ;;
    verify | verify1)
        threads=2
        [[ $tool == verify1 ]] && threads=1
        plan=${PLAN:-$(ls pcaps/*/plan.yaml 2>/dev/null | head -1 || true)}
        if [[ -n $plan ]]; then
            add "crosswire verify -j $threads" "$(printf %q "$CROSSWIRE") verify -j $threads --plan $(printf %q "$plan") $(printf %q "$BIG_PCAP") --format json --output $(printf %q "$OUT_DIR/verify-out")"
        else
            log "skipping crosswire verify: no plan (set PLAN=…)"
        fi
        ;;
    tcpdump)
        if command -v tcpdump >/dev/null; then
            add "tcpdump -nn -r" "tcpdump -nn -r $(printf %q "$BIG_PCAP")"
        else log "skipping tcpdump: not installed"; fi
        ;;
    tshark)
        if command -v tshark >/dev/null; then
            add "tshark -T fields" "tshark -n -r $(printf %q "$BIG_PCAP") -d udp.port==8472,vxlan -T fields$quoted_fields"
        else log "skipping tshark: not installed"; fi
        ;;
    *) log "unknown tool $tool"; exit 2 ;;
    esac
done

# --- rounds ------------------------------------------------------------------
results=$OUT_DIR/bench-compare.tsv
printf 'round\ttool\tseconds\tmaxrss_kb\tstatus\tcross_core_ms\n' >"$results"
n=${#names[@]}
for ((r = 0; r < ROUNDS; r++)); do
    for ((k = 0; k < n; k++)); do
        name=${names[$(((r + k) % n))]}
        rss_file=$OUT_DIR/rss.txt
        probe=
        [[ $name == "crosswire verify -j 2" ]] && probe=$("$PROBE" | sed 's/cross_core_ms=//')
        start=$(date +%s%N)
        status=0
        /usr/bin/time -f %M -o "$rss_file" bash -c "${CMD[$name]}" >/dev/null 2>"$OUT_DIR/stderr.txt" || status=$?
        end=$(date +%s%N)
        seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$seconds" "$(tail -1 "$rss_file")" "$status" "$probe" >>"$results"
        log "round $((r + 1))/$ROUNDS: $name: ${seconds}s (exit $status)"
    done
done

# --- the report --------------------------------------------------------------
floor_out=$("$FLOOR" "$BIG_PCAP")
{
    echo "## bench-compare: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'),"\
        "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, Linux $(uname -r)."
    echo "Tools: $(tcpdump --version 2>&1 | head -1 || true); $(tshark -v 2>/dev/null | head -1 || true);"\
        "libpcap $(tcpdump --version 2>&1 | sed -n 's/^libpcap version \([^ ]*\).*/\1/p' | head -1);"\
        "$(swift --version 2>/dev/null | head -1 || true); crosswire $("$CROSSWIRE" --version 2>/dev/null || echo '?')."
    read -r floor_packets floor_bytes <<<"$(echo "$floor_out" | sed 's/packets=\([0-9]*\) bytes=\([0-9]*\)/\1 \2/')"
    echo "Capture: \`$BIG_PCAP\`, $(du -m "$BIG_PCAP" | cut -f1) MiB: $floor_packets packets, $floor_bytes captured bytes"\
        "($((floor_bytes / floor_packets)) B/packet on average)."
    echo "Method: $ROUNDS rounds, each running every tool once in rotating order, output to /dev/null,"\
        "file in the page cache; wall time per run, median over rounds; peak RSS from GNU time (%M), the largest over rounds."
    echo
    python3 - "$results" "${floor_out#packets=}" <<'EOF'
import statistics, sys
path, floor_out = sys.argv[1], sys.argv[2]
packets = int(floor_out.split()[0])
rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
tools = []
for _, tool, *_ in rows:
    if tool not in tools:
        tools.append(tool)
stats = {}
for tool in tools:
    mine = [r for r in rows if r[1] == tool]
    secs = [float(r[2]) for r in mine]
    stats[tool] = dict(median=statistics.median(secs), lo=min(secs), hi=max(secs),
                       rss=max(int(r[3]) if r[3].isdigit() else 0 for r in mine),
                       # verify exits 1 when a check fails (the big mixed file fails some): a verdict, not an error.
                       failed=sum(1 for r in mine if r[4] not in (("0", "1") if "verify" in tool else ("0",))))
def find(prefix):
    return next((stats[t]["median"] for t in tools if t.startswith(prefix)), None)
floor, tcpdump, tshark = find("libpcap floor"), find("tcpdump"), find("tshark")
def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else "%.2f×" % (a / b)
print("| tool | median wall (s) | min–max (s) | packets/s | time ÷ floor | tcpdump time ÷ this | tshark time ÷ this | peak RSS (MiB) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for tool in tools:
    s = stats[tool]
    note = " (failed %d×)" % s["failed"] if s["failed"] else ""
    print("| %s%s | %.3f | %.3f–%.3f | %s | %s | %s | %s | %.1f |" % (
        tool, note, s["median"], s["lo"], s["hi"], format(int(packets / s["median"]), ","),
        ratio(s["median"], floor), ratio(tcpdump, s["median"]), ratio(tshark, s["median"]), s["rss"] / 1024))
probed = [(float(r[5]), float(r[2])) for r in rows if r[1] == "crosswire verify -j 2" and len(r) > 5 and r[5]]
if probed:
    print()
    print("`verify -j 2` run by run, each after the cross-core probe (bench/cross_core.c: about 20 ms when the"
          " two threads' cores hand data over cheaply): " + ", ".join("%.0f ms → %.3f s" % p for p in probed) + ".")
EOF
    echo
    echo "Commands (FILE = the capture above; FIELDS = ${FIELD_ARGS[*]}):"
    echo
    for name in "${names[@]}"; do
        echo "- $name: \`${CMD[$name]//$BIG_PCAP/FILE}\`" | sed "s|$quoted_fields| FIELDS|g"
    done
} | tee "$OUT_DIR/bench-compare.md"
