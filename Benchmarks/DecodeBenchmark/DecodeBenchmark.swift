// Decoding real captures held in memory: per-packet time, instructions and
// heap allocations of `PacketDecoder.decode`, for a few mixes of traffic.
//
// One benchmark iteration decodes 1,000 frames (`scalingFactor: .kilo`),
// cycling through the mix, so every metric reads *per packet*:
//   - Time (wall clock): ns per packet;  Throughput: packets per second;
//   - Malloc (total): heap allocations per packet, which must be 0 (the
//     decoder writes into a `DecodedPacket` the caller reuses);
//   - Instructions: per packet, only where a hardware PMU is there (see below);
//   - "Decoded bytes/s": captured bytes decoded per second, measured per iteration.
// The mix's size (frames, bytes, files read or skipped) is printed on stderr
// when its setup loads it. See docs/PERFORMANCE.md.

import Benchmark
import CrosswireDecoder
import Foundation

/// Captured bytes decoded per second, one sample per iteration of 1,000 frames.
let decodedBytesPerSecond = BenchmarkMetric.custom("Decoded bytes/s", polarity: .prefersLarger, useScalingFactor: false)

/// True when the CPU's instruction counter can be read (a hardware PMU under
/// /sys/bus/event_source/devices), or as `CROSSWIRE_BENCH_INSTRUCTIONS=1|0` says.
/// Without a PMU (this project's VMs) asking for `.instructions` makes the
/// framework fail a perf_event_open per iteration, which costs 18 mallocs per
/// iteration inside the measured region: they would be counted as the decoder's.
func instructionCounterAvailable() -> Bool {
    if let forced = ProcessInfo.processInfo.environment["CROSSWIRE_BENCH_INSTRUCTIONS"] { return forced == "1" }
    let devices = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/event_source/devices")) ?? []
    return devices.contains { $0.hasPrefix("cpu") || $0.hasPrefix("armv8") || $0.hasPrefix("arm_") }
}

/// The mixes: well-formed corpus captures by group, everything well formed, and the malformed ones.
func makeMixes() -> [CaptureMix] {
    let entries = CapturePaths.corpusEntries()
    func wellFormed(_ groups: Set<String>) -> [String] {
        entries.filter { !$0.malformed && !$0.groups.isDisjoint(with: groups) }.map(\.path)
    }
    let repository = CapturePaths.repositoryCaptures()
    var mixes = [
        CaptureMix(name: "Decode.VXLAN-GENEVE", paths: wellFormed(["vxlan", "geneve"])),
        CaptureMix(name: "Decode.RoutedTCP", paths: wellFormed(["tcp"])),
        CaptureMix(name: "Decode.BGP-OSPF", paths: wellFormed(["bgp", "ospf"])),
        CaptureMix(name: "Decode.AllWellFormed", paths: entries.filter { !$0.malformed }.map(\.path) + repository),
        CaptureMix(name: "Decode.Malformed", paths: entries.filter(\.malformed).map(\.path)),
    ]
    if !repository.isEmpty {
        mixes.append(CaptureMix(name: "Decode.RepositoryPcaps", paths: repository))
    }
    return mixes.filter { !$0.paths.isEmpty }
}

let benchmarks: @Sendable () -> Void = {
    // Heap allocations per packet must stay 0: no tolerance at any percentile
    // (checked against Thresholds/*.p90.json by `benchmark thresholds check`).
    let noAllocation = BenchmarkThresholds(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, decodedBytesPerSecond]
            + (instructionCounterAvailable() ? [.instructions] : []),
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 20_000,
        thresholds: [.mallocCountTotal: noAllocation]
    )

    for mix in makeMixes() {
        Benchmark(mix.name) { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let bytes = mix.decode(count: benchmark.scaledIterations.count)
            let elapsed = start.duration(to: clock.now)
            // Recording a custom value may grow the framework's histograms:
            // keep that out of the measured region (and its malloc count).
            benchmark.stopMeasurement()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > 0 { benchmark.measurement(decodedBytesPerSecond, Int(Double(bytes) / seconds)) }
            blackHole(mix.checksum)
        } setup: {
            mix.load()
        }
    }

    // The verification path: decode + BGP/OSPF + every analyser, on the lab's captures.
    // BGP sessions are a mix of their own: a new TCP connection allocates its
    // reassembly buffers once (by design); replayed, the same connections do not.
    let labCaptures = CapturePaths.repositoryCaptures()
    // Not 28-bgp-hold-timer-expired: replayed, its session opens and closes again, a new
    // session each pass (as scripts/alloc-check.sh, which leaves it out too).
    let bgp = labCaptures.filter { $0.contains("-bgp") && !$0.contains("28-bgp-hold-timer-expired") }
    for (name, paths, plan) in [
        ("Verify.LabCaptures", labCaptures.filter { !$0.contains("-bgp") }, "pcaps/06-ospf/plan.yaml"),
        ("Verify.BGPSessions", bgp, "pcaps/08-bgp/plan.yaml"),
    ] where !paths.isEmpty {
        let verify = VerifyMix(name: name, paths: paths, planPath: CapturePaths.repository.appendingPathComponent(plan).path)
        Benchmark(verify.name) { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let bytes = verify.feed(count: benchmark.scaledIterations.count)
            let elapsed = start.duration(to: clock.now)
            benchmark.stopMeasurement()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > 0 { benchmark.measurement(decodedBytesPerSecond, Int(Double(bytes) / seconds)) }
        } setup: {
            verify.load()
        }
    }
}
