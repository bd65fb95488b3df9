// The edge-case tests' lab: write frames built with `Frame` into real pcap
// files (through libpcap, as `crosswire capture` writes them), read them back
// with `VerificationSession.read(path:name:)` and verify them against a plan
// given as YAML text.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

/// One capture point: a file name (as evidence names it) and its frames, frame 1 first.
struct Capture {
    var name: String
    var frames: [[UInt8]]
    var linkType: LinkType = .ethernet
    /// Bytes kept of each frame (`tcpdump -s`); nil keeps them whole.
    var snaplen: Int?
    /// Each frame's time, nanoseconds since the epoch; nil: one microsecond apart.
    var times: [Int64]?

    init(_ name: String, _ frames: [[UInt8]], linkType: LinkType = .ethernet, snaplen: Int? = nil, times: [Int64]? = nil) {
        self.name = name; self.frames = frames; self.linkType = linkType; self.snaplen = snaplen; self.times = times
    }
}

/// A plan in the article's addressing: host1 192.168.56.119 with containers 192.168.10.0/24,
/// host2 192.168.56.120 with 192.168.20.0/24, their NIC MACs when `macs`. `hostKeys` adds
/// `key: value` lines to each host (by index); `transport`, `routing` and `extra` are YAML
/// lines added to those sections and at the top level.
func planYAML(
    mode: String = "routed", nat: String = "none", macs: Bool = true, transport: [String] = [],
    hostKeys: [[String]] = [[], []], routing: [String] = ["protocol: static"], extra: [String] = []
) -> String {
    var lines = [
        "version: 1",
        "name: edge-case",
        "underlay:",
        "  mtu: 1500",
        "  subnet: 192.168.56.0/24",
        "hosts:",
    ]
    let hosts = [("host1", Addr.host1, Addr.host1MAC, "192.168.10.0/24"), ("host2", Addr.host2, Addr.host2MAC, "192.168.20.0/24")]
    for (i, h) in hosts.enumerated() {
        lines += ["  - name: \(h.0)", "    address: \(h.1)", "    containers: \(h.3)"]
        if macs { lines.append("    mac: \"\(h.2)\"") }
        lines += hostKeys[i].map { "    " + $0 }
    }
    lines += ["transport:", "  mode: \(mode)"] + transport.map { "  " + $0 }
    lines.append("nat: \(nat)")
    lines += ["routing:"] + routing.map { "  " + $0 }
    lines += extra
    return lines.joined(separator: "\n") + "\n"
}

enum Lab {
    /// A fresh directory for one test's captures.
    static func directory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-edge-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `frames` as a pcap at `path`, one microsecond apart (or at `times`, nanoseconds since
    /// the epoch); `originalLength` is the frame's length.
    static func write(
        _ frames: [[UInt8]], to path: String, linkType: LinkType = .ethernet, snaplen: Int? = nil, times: [Int64]? = nil
    ) throws {
        let writer = try CaptureFileWriter(path: path, linkType: linkType)
        for (i, frame) in frames.enumerated() {
            let kept = Array(frame.prefix(snaplen ?? frame.count))
            let t = times?[i] ?? (1_700_000_000 * 1_000_000_000 + Int64(i) * 1000)
            let info = FrameInfo(
                number: i + 1, seconds: t / 1_000_000_000, nanoseconds: UInt32(t % 1_000_000_000),
                capturedLength: kept.count, originalLength: frame.count)
            kept.withUnsafeBytes { writer.write($0, info: info) }
        }
        writer.flush()
    }

    /// Verifies `captures` (in order) against the plan in `yaml`. Evidence names captures by `Capture.name`.
    static func verify(plan yaml: String, _ captures: [Capture]) throws -> Verdict {
        let plan = try PlanLoader().load(yaml: yaml, path: "plan.yaml")
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var session = VerificationSession(plan: plan)
        var sources: [CaptureSource] = []
        for c in captures {
            let path = dir.appendingPathComponent(c.name).path
            try write(c.frames, to: path, linkType: c.linkType, snaplen: c.snaplen, times: c.times)
            sources.append(CaptureSource(path: path, name: c.name))
        }
        // As `crosswire verify` reads them: together, interleaved by time.
        try session.read(sources, threads: 1)
        return session.verdict()
    }

    /// Verifies capture files already written (pcapng, say) against the plan in `yaml`.
    static func verify(plan yaml: String, paths: [String]) throws -> Verdict {
        let plan = try PlanLoader().load(yaml: yaml, path: "plan.yaml")
        var session = VerificationSession(plan: plan)
        for path in paths { try session.read(path: path) }
        return session.verdict()
    }

    /// One capture named `a.pcap`.
    static func verify(plan yaml: String, frames: [[UInt8]]) throws -> Verdict {
        try verify(plan: yaml, [Capture("a.pcap", frames)])
    }
}

extension Verdict {
    /// The result of `id`; records an issue (and returns a placeholder) when it is missing.
    subscript(_ id: CheckID) -> CheckResult {
        if let r = result(id) { return r }
        Issue.record("no result for \(id.rawValue)")
        return CheckResult(id: id, status: .skip, summary: "missing")
    }

    /// The (capture, frame) pairs a check cites, sorted.
    func cited(_ id: CheckID) -> [Cite] {
        self[id].evidence.map { Cite($0.capture, $0.frame) }.sorted()
    }

    func status(_ id: CheckID) -> CheckStatus { self[id].status }

    /// Every check with its status and summary, for failure messages.
    var digest: String { checks.map { "\($0.id)=\($0.status.rawValue): \($0.summary)" }.joined(separator: "\n") }
}

/// A cited frame: capture name and 1-based frame number.
struct Cite: Comparable, CustomStringConvertible {
    var capture: String
    var frame: Int
    init(_ capture: String, _ frame: Int) { self.capture = capture; self.frame = frame }
    static func < (a: Self, b: Self) -> Bool { (a.capture, a.frame) < (b.capture, b.frame) }
    var description: String { "\(capture)#\(frame)" }
}

/// Frames of a capture `a.pcap`.
func a(_ frames: Int...) -> [Cite] { frames.map { Cite("a.pcap", $0) } }
/// Frames of a capture `b.pcap`.
func b(_ frames: Int...) -> [Cite] { frames.map { Cite("b.pcap", $0) } }
