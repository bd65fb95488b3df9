// Hostile traffic cannot grow memory without bound: synthetic floods written
// with the streaming CaptureFileWriter under the temporary directory, verified
// by the real binary under `/usr/bin/time -f %M` (peak RSS in KiB), then deleted.
//
// * 1,000,000 distinct flows (Ethernet/IPv4/UDP, every 10th VXLAN): peak RSS
//   under `flowFloodLimitKiB`, and the packet-fingerprint table's evictions
//   reported in metrics.evictions.
// * 2,000,000 ARP claims for distinct addresses: the ARP table keeps 65,536
//   addresses and reports the rest as `arp_addresses` evictions.
// * A BGP peer sending endless segments, each behind a gap, and 20,000 more
//   connections: the reassembler's buffers stay bounded (peak RSS), its
//   connections are evicted (`bgp_connections`) and, in process, every gap is
//   counted and handed over as a notice.
// * 1,000,000 OSPF hellos from distinct router IDs: 4,096 kept (`ospf_routers`).
// * 396,000 BGP prefixes from 6 speakers: 65,536 kept (`bgp_prefixes`).
//
// Each runs in well under 60 s on 2 cores. Measured numbers: docs/HARDENING.md.

import CrosswireCapture
import CrosswireDecoder
import Foundation
import Testing

/// Builds frames into one reused buffer and appends them to a capture file.
struct FloodWriter: ~Copyable {
    var writer: CaptureFileWriter
    var frame: [UInt8] = []
    var count = 0

    init(path: String) throws {
        writer = try CaptureFileWriter(path: path, linkType: .ethernet)
        frame.reserveCapacity(256)
    }

    mutating func put16(_ v: Int) { frame.append(UInt8(v >> 8 & 0xFF)); frame.append(UInt8(v & 0xFF)) }
    mutating func put32(_ v: UInt32) { put16(Int(v >> 16)); put16(Int(v & 0xFFFF)) }

    mutating func ethernet(source: UInt32, destination: UInt32, type: Int) {
        put16(0x0200); put32(destination); put16(0x0200); put32(source); put16(type)
    }

    /// IPv4 header (no options, checksum left 0: the analyser does not check it).
    mutating func ipv4(source: UInt32, destination: UInt32, protocol proto: UInt8, payloadLength: Int, id: Int) {
        put16(0x4500); put16(20 + payloadLength); put16(id & 0xFFFF); put16(0x4000)
        frame.append(64); frame.append(proto); put16(0)
        put32(source); put32(destination)
    }

    mutating func udp(source: Int, destination: Int, payloadLength: Int) {
        put16(source); put16(destination); put16(8 + payloadLength); put16(0)
    }

    mutating func tcp(source: Int, destination: Int, sequence: UInt32, flags: UInt8) {
        put16(source); put16(destination); put32(sequence); put32(0)
        frame.append(0x50); frame.append(flags); put16(0xFFFF); put32(0)
    }

    /// Writes the frame built so far (timestamps 1 ms apart) and starts the next.
    mutating func emit() {
        count += 1
        let info = FrameInfo(number: count, seconds: 1_700_000_000 + Int64(count / 1000),
                             nanoseconds: UInt32(count % 1000) * 1_000_000, capturedLength: frame.count, originalLength: frame.count)
        frame.withUnsafeBytes { writer.write($0, info: info) }
        frame.removeAll(keepingCapacity: true)
    }

    consuming func close() { writer.flush() }
}

/// One flood at a time: each writes a large file and keeps a core busy.
@Suite(.serialized) struct BoundedResourceTests {
    /// Peak RSS bounds (KiB). Measured with the debug build: flows 49 MiB, ARP 59 MiB, BGP 50 MiB
    /// (the tables are allocated at their bound, so this hardly moves with the traffic); bound 160 MiB.
    static let flowFloodLimitKiB = 160 * 1024
    static let arpFloodLimitKiB = 160 * 1024
    static let bgpFloodLimitKiB = 160 * 1024
    static let ospfFloodLimitKiB = 160 * 1024
    /// A route flood fills the route table to its bound (65,536 prefixes), and every prefix kept is
    /// a row of the reports: measured 160 MiB with the JSON report (167 MiB with all four); bound 300 MiB.
    static let bgpRouteFloodLimitKiB = 300 * 1024

    static let timeBinary = URL(fileURLWithPath: "/usr/bin/time")

    static func ip(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 { a << 24 | b << 16 | c << 8 | d }

    /// Runs verify under /usr/bin/time; returns the run, its peak RSS in KiB and the JSON verdict.
    static func verifyMeasured(plan: String, capture: URL) async throws -> (ProcessResult, Int, [String: Any]) {
        let out = capture.deletingLastPathComponent().appendingPathComponent("out-" + capture.lastPathComponent)
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try await runProcessAsync(timeBinary, ["-f", "peak-rss-kib %M", TestPaths.binary.path, "verify", "--plan",
                                              TestPaths.pcaps.appendingPathComponent(plan).path, capture.path,
                                              "--format", "json", "--output", out.path, "-q"], timeout: 120)
        let line = run.stderr.split(separator: "\n").last(where: { $0.hasPrefix("peak-rss-kib ") })
        let kib = line.flatMap { Int($0.dropFirst("peak-rss-kib ".count)) } ?? -1
        let verdict = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("crosswire.json"))) as? [String: Any]
        return (run, kib, verdict ?? [:])
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cw-flood-\(UUID().uuidString)-\(name)")
    }

    static var haveTime: Bool { FileManager.default.isExecutableFile(atPath: timeBinary.path) }

    @Test(.enabled(if: haveTime, "/usr/bin/time is missing (Debian package time; scripts/install-deps.sh test installs it)"))
    func millionDistinctFlowsStayUnderTheMemoryBound() async throws {
        let file = Self.temporaryFile("flows.pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        var w = try FloodWriter(path: file.path)
        let host1 = Self.ip(192, 168, 56, 119), host2 = Self.ip(192, 168, 56, 120)
        for i in 0..<1_000_000 {
            // A distinct flow per packet: source address in 192.168.10.0/24 and source port vary together.
            let source = Self.ip(192, 168, 10, UInt32(2 + i % 250)), destination = Self.ip(192, 168, 20, UInt32(2 + i % 7))
            let sport = 1024 + (i / 250) % 64_000, dport = 1 + i % 5000
            if i % 10 == 0 {
                // VXLAN (VNI 1, port 4789) from host1 to host2, carrying the flow.
                w.ethernet(source: 119, destination: 120, type: 0x0800)
                w.ipv4(source: host1, destination: host2, protocol: 17, payloadLength: 8 + 8 + 14 + 20 + 8 + 8, id: i)
                w.udp(source: 32768 + i % 28_000, destination: 4789, payloadLength: 8 + 14 + 20 + 8 + 8)
                w.put32(0x0800_0000); w.put32(0x0000_0100)
                w.ethernet(source: 0x0A02, destination: 0x0B02, type: 0x0800)
            } else {
                w.ethernet(source: 0x0A02, destination: 119, type: 0x0800)
            }
            w.ipv4(source: source, destination: destination, protocol: 17, payloadLength: 8 + 8, id: i)
            w.udp(source: sport, destination: dport, payloadLength: 8)
            w.put32(UInt32(truncatingIfNeeded: i)); w.put32(0)
            w.emit()
        }
        w.close()

        let (run, kib, verdict) = try await Self.verifyMeasured(plan: "11-vxlan-4789/plan.yaml", capture: file)
        #expect(!run.crashed && !run.timedOut && (run.status == 0 || run.status == 1), "exit \(run.status): \(run.stderr)")
        let metrics = verdict["metrics"] as? [String: Any]
        #expect(metrics?["packets"] as? Int == 1_000_000)
        let evictions = metrics?["evictions"] as? [String: Int] ?? [:]
        #expect((evictions["packet_fingerprints"] ?? 0) > 0, "evictions: \(evictions)")
        #expect(kib > 0 && kib < Self.flowFloodLimitKiB, "peak RSS \(kib) KiB (bound \(Self.flowFloodLimitKiB) KiB)")
        print("flow flood: 1,000,000 packets, peak RSS \(kib) KiB, evictions \(evictions)")
    }

    @Test(.enabled(if: haveTime, "/usr/bin/time is missing (Debian package time; scripts/install-deps.sh test installs it)"))
    func millionsOfARPClaimsKeepTheTableBounded() async throws {
        let file = Self.temporaryFile("arp.pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        var w = try FloodWriter(path: file.path)
        let claims = 2_000_000
        for i in 0..<claims {
            // "10.x.y.z is at 02:00:..": a distinct address per claim, from one of 16 MACs.
            w.ethernet(source: UInt32(i % 16), destination: 0xFFFF_FFFF, type: 0x0806)
            w.put16(1); w.put16(0x0800); w.frame.append(6); w.frame.append(4); w.put16(2)
            w.put16(0x0200); w.put32(UInt32(i % 16)); w.put32(Self.ip(10, 0, 0, 0) | UInt32(i))
            w.put16(0x0200); w.put32(0); w.put32(Self.ip(10, 255, 255, 254))
            w.emit()
        }
        w.close()
        let (run, kib, verdict) = try await Self.verifyMeasured(plan: "01-static-routes/plan.yaml", capture: file)
        #expect(!run.crashed && !run.timedOut && (run.status == 0 || run.status == 1), "exit \(run.status): \(run.stderr)")
        let evictions = (verdict["metrics"] as? [String: Any])?["evictions"] as? [String: Int] ?? [:]
        #expect(evictions["arp_addresses"] == claims - 65_536, "evictions: \(evictions)")
        #expect(kib > 0 && kib < Self.arpFloodLimitKiB, "peak RSS \(kib) KiB (bound \(Self.arpFloodLimitKiB) KiB)")
        print("ARP flood: \(claims) claims, peak RSS \(kib) KiB, evictions \(evictions)")
    }

    /// KEEPALIVEs as one endless byte stream; `bytes(at:count:)` gives any window of it.
    static let keepalives: [UInt8] = (0..<64).flatMap { _ in [UInt8](repeating: 0xFF, count: 16) + [0, 19, 4] }
    static func stream(at offset: Int, count: Int) -> ArraySlice<UInt8> {
        let start = offset % (19 * 32)
        return keepalives[start..<(start + count)]
    }

    @Test(.enabled(if: haveTime, "/usr/bin/time is missing (Debian package time; scripts/install-deps.sh test installs it)"))
    func bgpPeerSendingSegmentsBehindGapsStaysBounded() async throws {
        let file = Self.temporaryFile("bgp.pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        var w = try FloodWriter(path: file.path)
        let client = Self.ip(192, 168, 56, 119), speaker = Self.ip(192, 168, 56, 120)
        let segments = 500_000, extraConnections = 20_000
        func segment(_ w: inout FloodWriter, from port: Int, sequence: UInt32, flags: UInt8, payload: ArraySlice<UInt8>) {
            w.ethernet(source: 119, destination: 120, type: 0x0800)
            w.ipv4(source: client, destination: speaker, protocol: 6, payloadLength: 20 + payload.count, id: w.count)
            w.tcp(source: port, destination: 179, sequence: sequence, flags: flags)
            w.frame.append(contentsOf: payload)
            w.emit()
        }
        // One connection: SYN, then segments of 100 bytes each starting 7 bytes into a message, 10 bytes after the last one ended.
        segment(&w, from: 50_000, sequence: 1000, flags: 0x02, payload: [])
        var sequence: UInt32 = 1001
        for i in 0..<segments {
            sequence &+= 10
            segment(&w, from: 50_000, sequence: sequence, flags: 0x18, payload: Self.stream(at: i * 19 + 7, count: 100))
            sequence &+= 100
        }
        // Many more connections, each SYN plus a message: more than the reassembler tracks.
        for c in 0..<extraConnections {
            segment(&w, from: 1024 + c, sequence: 5000, flags: 0x02, payload: [])
            segment(&w, from: 1024 + c, sequence: 5001, flags: 0x18, payload: Self.stream(at: 0, count: 19))
        }
        let written = w.count
        w.close()
        let (run, kib, verdict) = try await Self.verifyMeasured(plan: "08-bgp/plan.yaml", capture: file)
        #expect(!run.crashed && !run.timedOut && (run.status == 0 || run.status == 1), "exit \(run.status): \(run.stderr)")
        let evictions = (verdict["metrics"] as? [String: Any])?["evictions"] as? [String: Int] ?? [:]
        #expect(evictions["bgp_connections"] == 1 + extraConnections - 256, "evictions: \(evictions)")
        #expect(kib > 0 && kib < Self.bgpFloodLimitKiB, "peak RSS \(kib) KiB (bound \(Self.bgpFloodLimitKiB) KiB)")
        print("BGP flood: \(written) segments, peak RSS \(kib) KiB, evictions \(evictions)")
    }

    @Test(.enabled(if: haveTime, "/usr/bin/time is missing (Debian package time; scripts/install-deps.sh test installs it)"))
    func millionOSPFRouterIDsKeepTheTablesBounded() async throws {
        let file = Self.temporaryFile("ospf.pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        var w = try FloodWriter(path: file.path)
        let routers = 1_000_000
        for i in 0..<routers {
            // An OSPFv2 Hello (44 bytes) from a new router ID each time, to 224.0.0.5.
            w.ethernet(source: 119, destination: 0x5E00_0005, type: 0x0800)
            w.ipv4(source: Self.ip(192, 168, 56, 119), destination: Self.ip(224, 0, 0, 5), protocol: 89, payloadLength: 44, id: i)
            w.frame.append(2); w.frame.append(1); w.put16(44)
            w.put32(Self.ip(10, 0, 0, 0) | UInt32(i)); w.put32(0); w.put16(0); w.put16(0); w.put32(0); w.put32(0)
            w.put32(0xFFFF_FF00); w.put16(10); w.frame.append(2); w.frame.append(1); w.put32(40); w.put32(0); w.put32(0)
            w.emit()
        }
        w.close()
        let (run, kib, verdict) = try await Self.verifyMeasured(plan: "06-ospf/plan.yaml", capture: file)
        #expect(!run.crashed && !run.timedOut && (run.status == 0 || run.status == 1), "exit \(run.status): \(run.stderr)")
        let evictions = (verdict["metrics"] as? [String: Any])?["evictions"] as? [String: Int] ?? [:]
        #expect(evictions["ospf_routers"] == routers - 4096, "evictions: \(evictions)")
        #expect(kib > 0 && kib < Self.ospfFloodLimitKiB, "peak RSS \(kib) KiB (bound \(Self.ospfFloodLimitKiB) KiB)")
        print("OSPF flood: \(routers) router IDs, peak RSS \(kib) KiB, evictions \(evictions)")
    }

    @Test(.enabled(if: haveTime, "/usr/bin/time is missing (Debian package time; scripts/install-deps.sh test installs it)"))
    func bgpRouteFloodFromSixSpeakersKeepsThePrefixTableAndReportsBounded() async throws {
        let file = Self.temporaryFile("bgp-routes.pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        var w = try FloodWriter(path: file.path)
        let speakers = 6, updatesPerSpeaker = 66, prefixesPerUpdate = 1000
        let speaker179 = Self.ip(192, 168, 56, 120)
        for speaker in 0..<speakers {
            let source = Self.ip(192, 168, 56, UInt32(10 + speaker))
            var sequence: UInt32 = 1000
            func segment(_ w: inout FloodWriter, flags: UInt8, payload: [UInt8]) {
                w.ethernet(source: UInt32(10 + speaker), destination: 120, type: 0x0800)
                w.ipv4(source: source, destination: speaker179, protocol: 6, payloadLength: 20 + payload.count, id: w.count)
                w.tcp(source: 40_000 + speaker, destination: 179, sequence: sequence, flags: flags)
                w.frame.append(contentsOf: payload)
                w.emit()
                sequence &+= flags & 0x02 != 0 ? 1 : UInt32(payload.count)
            }
            segment(&w, flags: 0x02, payload: [])
            for u in 0..<updatesPerSpeaker {
                // UPDATE: ORIGIN IGP, empty AS_PATH, NEXT_HOP the speaker, then 1000 distinct /24s.
                var attributes: [UInt8] = [0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4]
                attributes += [192, 168, 56, UInt8(10 + speaker)]
                var message = [UInt8](repeating: 0xFF, count: 16)
                let length = 19 + 2 + 2 + attributes.count + 4 * prefixesPerUpdate
                message += [UInt8(length >> 8), UInt8(length & 0xFF), 2, 0, 0, 0, UInt8(attributes.count)] + attributes
                for p in 0..<prefixesPerUpdate {
                    let n = u * prefixesPerUpdate + p
                    message += [24, UInt8(10 + n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
                }
                segment(&w, flags: 0x18, payload: message)
            }
        }
        w.close()
        let (run, kib, verdict) = try await Self.verifyMeasured(plan: "08-bgp/plan.yaml", capture: file)
        #expect(!run.crashed && !run.timedOut && (run.status == 0 || run.status == 1), "exit \(run.status): \(run.stderr)")
        let evictions = (verdict["metrics"] as? [String: Any])?["evictions"] as? [String: Int] ?? [:]
        #expect(evictions["bgp_prefixes"] == speakers * updatesPerSpeaker * prefixesPerUpdate - 65_536, "evictions: \(evictions)")
        #expect(kib > 0 && kib < Self.bgpRouteFloodLimitKiB, "peak RSS \(kib) KiB (bound \(Self.bgpRouteFloodLimitKiB) KiB)")
        print("BGP route flood: \(speakers * updatesPerSpeaker * prefixesPerUpdate) prefixes from \(speakers) speakers, peak RSS \(kib) KiB, evictions \(evictions)")
    }

    /// The same endless gapped stream through the reassembler in process: one connection,
    /// every gap counted in its statistics and handed over as a `.gap` notice, nothing held beyond the window.
    @Test func reassemblerCountsEveryGapOfAnEndlessStream() {
        var r = BGPStreamReassembler()
        let d = BGPStreamDirection(source: .v4(IPv4Address(192, 168, 56, 119)), sourcePort: 50_000,
                                   destination: .v4(IPv4Address(192, 168, 56, 120)), destinationPort: 179)
        var gaps = 0, lost = 0, messages = 0
        let visit: BGPStreamReassembler.Visitor = { _, delivery in
            switch delivery.kind {
            case .notice(.gap(let lostBytes, _)): gaps += 1; lost += lostBytes
            case .message: messages += 1
            default: break
            }
        }
        r.ingest(d, sequence: 1000, flags: [.syn], payload: RawSpan(), frame: 1, timestamp: 0, visit)
        var sequence: UInt32 = 1001
        let segments = 200_000
        for i in 0..<segments {
            sequence &+= 10
            Self.stream(at: i * 19 + 7, count: 100).withUnsafeBytes { raw in
                r.ingest(d, sequence: sequence, flags: [.ack, .psh], payload: raw.bytes, frame: i + 2, timestamp: Int64(i) * 1000, visit)
            }
            sequence &+= 100
        }
        r.finish(visit)
        #expect(r.connectionCount == 0)
        #expect(r.statistics.connections == 1)
        #expect(r.statistics.gaps == gaps && gaps > 0)
        #expect(r.statistics.lostBytes == lost && lost >= gaps * 10)
        #expect(r.statistics.messages == messages && messages > 0)
        print("reassembler: \(segments) segments behind gaps: \(gaps) gaps, \(lost) bytes lost, \(messages) messages")
    }
}
