// Every lab scenario in pcaps/: verify its captures against its plan and
// require exactly the expected verdict and numbers (pcaps/*/expected.json,
// derived by the lab from what it did and from tshark's reading).

import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

enum Repo {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found")
    }()

    static let pcaps = root.appendingPathComponent("pcaps")

    static var scenarios: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pcaps.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: pcaps.appendingPathComponent("\($0)/expected.json").path) }.sorted()
    }
}

struct ExpectedVerdict: Decodable {
    struct Metric: Decodable {
        var kind: String
        var packets: Int
        var overhead_bytes: Int
        var overhead_bytes_per_packet: Double
        var overhead_ratio: Double
    }
    struct Points: Decodable {
        var capture: String
        var points: [String]
    }
    struct Metrics: Decodable {
        var packets: Int
        var encapsulation: [Metric]
        /// Captures that hold several interfaces, with their capture points (`file@interface`).
        var capture_points: [Points]?
        var clock_offsets: [Offset]?
    }
    struct Offset: Decodable {
        var capture: String
        var offset_seconds: Double
    }
    struct Cited: Decodable {
        var capture: String
        var frame: Int
    }
    var scenario: String
    var captures: [String]
    var checks: [String: String]
    var metrics: Metrics
    var evidence: [String: [Cited]]?
}

/// Runs the verifier on a scenario the way `crosswire verify` does, with `threads` threads.
/// `reversed`: the captures in the other order, which must conclude the same.
func verifyScenario(_ name: String, threads: Int = 1, reversed: Bool = false) throws -> (ExpectedVerdict, Verdict) {
    let dir = Repo.pcaps.appendingPathComponent(name)
    let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
    let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
    var session = VerificationSession(plan: plan)
    let captures = reversed ? expected.captures.reversed() : expected.captures
    try session.read(captures.map { CaptureSource(path: dir.appendingPathComponent($0).path) }, threads: threads)
    return (expected, session.verdict())
}

struct ScenarioTests {
    @Test func thereAreScenarios() {
        #expect(Repo.scenarios.count >= 10, "pcaps/ holds the lab's scenarios")
    }

    /// Two threads split the analysers between two sessions that each read every capture:
    /// the verdict must be the one a single thread gives, to the byte.
    @Test(arguments: Repo.scenarios)
    func twoThreadsGiveTheSameVerdict(_ name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let (_, one) = try verifyScenario(name, threads: 1)
        let (_, two) = try verifyScenario(name, threads: 2)
        let a = String(decoding: try encoder.encode(one), as: UTF8.self)
        let b = String(decoding: try encoder.encode(two), as: UTF8.self)
        #expect(a == b, "\(name): the two-thread verdict differs")
        #expect(one.metrics.packets > 0)
    }

    /// The order captures are named in says nothing about the network: every status stays.
    @Test(arguments: Repo.scenarios)
    func captureOrderChangesNoStatus(_ name: String) throws {
        let (expected, verdict) = try verifyScenario(name, reversed: true)
        guard expected.captures.count > 1 else { return }
        for check in verdict.checks {
            #expect(check.status.rawValue == expected.checks[check.id.rawValue], "\(name) reversed: \(check.id) \(check.summary)")
        }
    }

    @Test(arguments: Repo.scenarios)
    func verdictMatchesTheLab(_ name: String) throws {
        let (expected, verdict) = try verifyScenario(name)
        // Every check of the contract, once, in order.
        #expect(verdict.checks.map(\.id) == CheckID.allCases)
        for check in verdict.checks {
            let want = expected.checks[check.id.rawValue]
            #expect(check.status.rawValue == want, "\(name): \(check.id) is \(check.status.rawValue) (\(check.summary)), the lab says \(want ?? "nothing")")
            #expect(!check.summary.isEmpty)
            if check.status == .fail { #expect(!check.evidence.isEmpty || !check.observed.isEmpty, "\(name): \(check.id) fails with evidence") }
        }
        #expect(verdict.metrics.packets == expected.metrics.packets)
        #expect(verdict.metrics.encapsulation.count == expected.metrics.encapsulation.count, "\(name): encapsulation kinds")
        for want in expected.metrics.encapsulation {
            guard let got = verdict.metrics.encapsulation.first(where: { $0.kind == want.kind }) else {
                Issue.record("\(name): no \(want.kind) metrics")
                continue
            }
            #expect(got.packets == want.packets, "\(name) \(want.kind) packets")
            #expect(got.overheadBytes == want.overhead_bytes, "\(name) \(want.kind) overhead bytes")
            #expect(abs(got.overheadBytesPerPacket - want.overhead_bytes_per_packet) < 1e-6, "\(name) \(want.kind) per packet")
            #expect(abs(got.overheadRatio - want.overhead_ratio) < 1e-6, "\(name) \(want.kind) ratio")
        }
        // Files holding several interfaces: one capture point per interface, in the order first seen.
        for want in expected.metrics.capture_points ?? [] {
            let got = verdict.captures.first { $0.path.hasSuffix("/" + want.capture) }?.points ?? []
            #expect(got.map { $0.split(separator: "/").last.map(String.init) ?? $0 } == want.points, "\(name): capture points of \(want.capture)")
        }
        // Clock offsets: the lab's estimate (to the millisecond) and the engine's agree.
        for want in expected.metrics.clock_offsets ?? [] {
            let got = verdict.metrics.clockOffsets?.first { $0.capture.hasSuffix("/" + want.capture) }
            #expect(got.map { abs($0.offsetSeconds - want.offset_seconds) < 0.001 } == true, "\(name): clock offset of \(want.capture)")
        }
        // Frames the lab says a correct tool must cite.
        for (check, cited) in expected.evidence ?? [:] {
            let evidence = verdict.result(CheckID(rawValue: check)!)?.evidence ?? []
            for c in cited {
                #expect(
                    evidence.contains { $0.frame == c.frame && ($0.point ?? $0.capture).hasSuffix("/" + c.capture) },
                    "\(name): \(check) cites \(c.capture) frame \(c.frame)")
            }
        }
    }
}
