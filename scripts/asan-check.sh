#!/usr/bin/env bash
# Runs the CLI built with AddressSanitizer over every capture we have:
#   decode -T text, -T json and -T fields of every Tests/Corpus capture and every pcaps/ capture,
#   verify -j 1 and -j 2 of every Tests/Corpus capture (under pcaps/10's plan) and of a
#   30,000-packet capture larger than the file window (and of two of them together), and
#   verify of every pcaps/ scenario (its plan and the captures its expected.json lists).
# A run fails on any ASan report, a crash (signal), a hang (timeout) or an exit code other
# than 0, 1 or 2 (2 is the contract's answer for a corrupt, cut or unsupported capture).
# Ends with one line `N passed, N failed` and exits 1 when anything failed.
#
# Bounded in time: a debug build in .build-asan/ (a few minutes the first time on 2 cores,
# incremental after), then 1,089 runs (240 captures x 3 decode modes, 159 corpus captures
# verified x 2 thread counts, 3 verifies of large captures, 48 scenario verifies), every one
# under `timeout` (ASAN_RUN_TIMEOUT seconds, default 60). About 2 minutes in all with the
# build up to date.
#
#   scripts/asan-check.sh            build and run everything
#   ASAN_SKIP_BUILD=1 scripts/asan-check.sh
set -uo pipefail
cd "$(dirname "$0")/.."

scratch=.build-asan
per_run=${ASAN_RUN_TIMEOUT:-60}
if [ -z "${ASAN_SKIP_BUILD:-}" ]; then
    swift build --scratch-path "$scratch" -Xswiftc -sanitize=address --product crosswire >"/tmp/asan-build.$$" 2>&1 || {
        tail -30 "/tmp/asan-build.$$" >&2; rm -f "/tmp/asan-build.$$"
        echo "asan-check: the ASan build failed"; echo "0 passed, 1 failed"; exit 1; }
    rm -f "/tmp/asan-build.$$"
fi
bin=$scratch/debug/crosswire
# Any error ends the process with exit code 99 so that no report can pass as a plain exit code.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=0:abort_on_error=0:halt_on_error=1}

fields=(-e frame.number -e frame.len -e eth.src -e vlan.id -e sll.pkttype -e ip.src -e ip.dst -e ip.id
        -e ipv6.src -e udp.srcport -e tcp.dstport -e tcp.flags -e vxlan.vni -e geneve.vni -e gre.key
        -e arp.opcode -e icmp.type -e bgp.type -e bgp.nlri_prefix -e bgp.withdrawn_prefix
        -e bgp.update.path_attribute.next_hop -e ospf.msg -e ospf.srcrouter -e ospf.area_id -e crosswire.stop)
passed=0; failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run NAME COMMAND...: one bounded run, judged by its exit code and stderr.
run() {
    local name=$1; shift
    timeout -k 5 "$per_run" "$@" >/dev/null 2>"$out/err"
    local rc=$?
    local why=""
    if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$out/err"; then why="sanitizer report"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then why="timeout after ${per_run}s"
    elif [ $rc -gt 2 ]; then why="exit code $rc"
    fi
    if [ -n "$why" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: $why" >&2
        grep -m8 -E 'ERROR|SUMMARY|#[0-9] |Fatal' "$out/err" >&2 || head -5 "$out/err" >&2
    else
        passed=$((passed + 1))
    fi
}

shopt -s nullglob
captures=(pcaps/*/*.pcap pcaps/*/*.pcapng)
captures+=(Tests/Corpus/*/pcaps/*)
for c in "${captures[@]}"; do
    run "decode $c" "$bin" decode "$c"
    run "decode -T json $c" "$bin" decode -T json "$c"
    run "decode -T fields $c" "$bin" decode -T fields -E header=y "${fields[@]}" "$c"
done
# Every corpus capture through the verifier too, on one thread and on two (where the decoded
# packets travel to the analysers' thread in raw batch memory), under the VXLAN plan.
for c in Tests/Corpus/*/pcaps/*; do
    for j in 1 2; do
        run "verify -j $j $c" "$bin" verify -j "$j" --plan pcaps/10-vxlan-8472/plan.yaml "$c" --format json --output "$out/reports" --quiet
    done
done
# A capture larger than the file window (8 MiB): with -j 2 the window wraps while batches
# hold its frames (PcapFileWindow, FrameHolder); read alone and beside a second copy.
big=$out/big.pcap
python3 scripts/make-big-pcap.py -n 30000 -o "$big" pcaps/*/*.pcap 2>/dev/null && cp "$big" "$out/big2.pcap"
for j in 1 2; do
    run "verify -j $j of 30,000 packets" "$bin" verify -j "$j" --plan pcaps/10-vxlan-8472/plan.yaml "$big" --format json --output "$out/reports" --quiet
done
run "verify -j 2 of two 30,000-packet captures" "$bin" verify -j 2 --plan pcaps/10-vxlan-8472/plan.yaml "$big" "$out/big2.pcap" \
    --format json --output "$out/reports" --quiet
# The same packets as pcapng (its window walks blocks), alone and beside the pcap.
python3 scripts/make-big-pcap.py --pcapng -n 30000 -o "$out/big.pcapng" pcaps/*/*.pcap 2>/dev/null
for j in 1 2; do
    run "verify -j $j of 30,000 packets in pcapng" "$bin" verify -j "$j" --plan pcaps/10-vxlan-8472/plan.yaml "$out/big.pcapng" \
        --format json --output "$out/reports" --quiet
done
run "verify -j 2 of the pcapng and the pcap" "$bin" verify -j 2 --plan pcaps/10-vxlan-8472/plan.yaml "$out/big.pcapng" "$big" \
    --format json --output "$out/reports" --quiet
for plan in pcaps/*/plan.yaml; do
    dir=$(dirname "$plan")
    mapfile -t caps < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["captures"]))' "$dir/expected.json")
    paths=()
    for c in "${caps[@]}"; do paths+=("$dir/$c"); done
    run "verify $dir" "$bin" verify --plan "$plan" "${paths[@]}" --format md --format html --format json --format junit \
        --output "$out/reports" --evidence "$out/evidence.pcap" --quiet
done
echo "asan-check: ${#captures[@]} captures decoded 3 ways, the corpus's and a large one verified at -j 1 and -j 2, $(ls pcaps/*/plan.yaml | wc -l) scenarios verified, under AddressSanitizer"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
