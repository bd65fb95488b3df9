#!/usr/bin/env bash
# Soak test of `crosswire watch` (not part of `make test`; root, ~1-2 minutes):
# replays PACKETS frames (default 10,000,000) through a veth pair inside a
# namespace of its own into a watch capturing the other end, and prints the
# packets, the duration and watch's RSS at start, every 10 s and at the end.
# Memory must stay flat: only the current slice's session is alive.
#
#   scripts/soak-watch.sh [PACKETS] [PPS]      (PPS default 200000)
#
# Needs tcpreplay, ip, curl, python3 (install-deps.sh test). Nothing is
# configured outside the namespace cwsoak-<random>; only the processes this
# script started are signalled, by PID; the namespace is deleted on exit.
set -euo pipefail

PACKETS=${1:-10000000}
PPS=${2:-200000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CROSSWIRE:-$ROOT/.build/release/crosswire}
[ -x "$BIN" ] || BIN=$ROOT/.build/debug/crosswire
NS=cwsoak-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
TMP=$(mktemp -d /tmp/cwsoak.XXXXXX)
WATCH_PID=

cleanup() {
    if [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; then kill -TERM "$WATCH_PID"; sleep 2; kill -KILL "$WATCH_PID" 2>/dev/null || true; fi
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

rss() { awk '/^VmRSS/ {print $2}' "/proc/$WATCH_PID/status"; }
metric() { ip netns exec "$NS" curl -s --max-time 3 http://127.0.0.1:9465/metrics | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {printf "%d", s}'; }

# A 100,000-frame capture mixing routed, masqueraded, VXLAN and BGP scenarios, looped by tcpreplay.
python3 "$ROOT/scripts/make-big-pcap.py" -o "$TMP/mix.pcap" -n 100000 \
    "$ROOT"/pcaps/01-static-routes/*.pcap "$ROOT"/pcaps/02-static-masquerade/*.pcap \
    "$ROOT"/pcaps/10-vxlan-8472/*.pcap "$ROOT"/pcaps/08-bgp/*.pcap >/dev/null 2>&1
LOOPS=$(( (PACKETS + 99999) / 100000 ))

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add replay type veth peer name watched
ip netns exec "$NS" ip link set replay up
ip netns exec "$NS" ip link set watched up

ip netns exec "$NS" "$BIN" watch --plan "$ROOT/pcaps/01-static-routes/plan.yaml" --interface watched \
    --listen 127.0.0.1:9465 --window 30s --ring "$TMP/ring" --ring-size 64MiB --node soak \
    --output "$TMP/reports" --format json --quiet 2>"$TMP/watch.stderr" &
WATCH_PID=$!
for _ in $(seq 1 50); do grep -q serving "$TMP/watch.stderr" 2>/dev/null && break; sleep 0.1; done
sleep 1
START_RSS=$(rss)
echo "soak: watch PID $WATCH_PID, RSS at start ${START_RSS} kB; replaying $((LOOPS * 100000)) frames at $PPS pps"

START=$(date +%s.%N)
ip netns exec "$NS" tcpreplay -q -K --pps="$PPS" --loop="$LOOPS" -i replay "$TMP/mix.pcap" >"$TMP/tcpreplay.out" 2>&1 &
REPLAY_PID=$!
while kill -0 "$REPLAY_PID" 2>/dev/null; do
    sleep 10
    kill -0 "$REPLAY_PID" 2>/dev/null || break
    echo "soak: $(( $(date +%s) - ${START%.*} )) s: RSS $(rss) kB, packets $(metric crosswire_packets_total)"
done
wait "$REPLAY_PID" || true
END=$(date +%s.%N)
sleep 3  # the last frames and one more refresh
END_RSS=$(rss)
SEEN=$(metric crosswire_packets_total)
DROPS=$(metric crosswire_capture_drops_total)
RING=$(du -sk "$TMP/ring" | cut -f1)
grep -E "Actual|Statistics|Successful|Failed" "$TMP/tcpreplay.out" | sed 's/^/tcpreplay: /' || true
awk -v s="$START" -v e="$END" -v n="$SEEN" -v d="$DROPS" -v a="$START_RSS" -v b="$END_RSS" -v r="$RING" 'BEGIN {
    printf "soak: packets captured by watch %d (kernel drops %d) in %.1f s (%.0f packets/s)\n", n, d, e - s, n / (e - s)
    printf "soak: RSS start %d kB, end %d kB (%+.1f%%); evidence ring %d kB on disk (bound 65536 kB)\n", a, b, (b - a) * 100 / a, r
}'
kill -TERM "$WATCH_PID"
for _ in $(seq 1 100); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
wait "$WATCH_PID" 2>/dev/null || true
WATCH_PID=
