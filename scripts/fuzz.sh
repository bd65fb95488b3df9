#!/usr/bin/env bash
# `make fuzz`: libFuzzer over the decoder and over the BGP/OSPF stream path,
# each for FUZZ_SECONDS (default 60) with a memory limit, from seeds taken out
# of every capture in pcaps/ and Tests/Corpus/.
#
#   FUZZ_SECONDS=600 make fuzz        longer runs
#   FUZZ_RUNS=10000000 make fuzz      a number of executions instead of a time
#   FUZZ_TARGETS=StreamFuzzer make fuzz
#
# Fuzz/corpus/ (seeds and what the fuzzers add) and Fuzz/artifacts/ (crashing
# inputs) are not committed. A crash ends the script with 1: minimise the input
# (`Fuzz/.build/release/DecoderFuzzer -minimize_crash=1 -runs=10000 FILE`), fix the
# bug, and add the input under Tests/Fixtures/fuzz/ (FuzzRegressionTests decodes each).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
rss=${FUZZ_RSS_MB:-2048}
targets=${FUZZ_TARGETS:-DecoderFuzzer StreamFuzzer}

seeds=Fuzz/corpus/seeds
rm -rf "$seeds"
inputs=(pcaps)
inputs+=(Tests/Corpus)
python3 scripts/fuzz-seeds.py "$seeds" "${inputs[@]}"

( cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library )
mkdir -p Fuzz/artifacts

# Swift's own crash handler does not work under ASan; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no

status=0
for target in $targets; do
    case $target in
        # A frame is at most 64 KiB; a stream input of 8 KiB holds a few segments of full-size BGP messages.
        DecoderFuzzer) seed=$seeds/decoder; work=Fuzz/corpus/decoder; max_len=70000 ;;
        StreamFuzzer) seed=$seeds/stream; work=Fuzz/corpus/stream; max_len=8192 ;;
        *) echo "fuzz: unknown target $target" >&2; exit 2 ;;
    esac
    mkdir -p "$work"
    limit=(-max_total_time="$seconds")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    log=Fuzz/artifacts/$target.log
    echo "fuzz: $target ${limit[*]} -rss_limit_mb=$rss (log: $log)"
    if Fuzz/.build/release/$target "$work" "$seed" "${limit[@]}" -rss_limit_mb="$rss" -timeout=10 \
        -max_len=$max_len -print_final_stats=1 -artifact_prefix="Fuzz/artifacts/$target-" >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "fuzz: $target: $runs executions, $speed exec/s, no crash"
    else
        echo "fuzz: $target FOUND A CRASH, see $log and Fuzz/artifacts/" >&2
        grep -m5 -E 'ERROR|Fatal|SUMMARY|Test unit written' "$log" >&2 || tail -20 "$log" >&2
        status=1
    fi
done
exit $status
