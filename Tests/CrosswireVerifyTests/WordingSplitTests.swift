// The checks judge and the wording layer words (docs/ARCHITECTURE.md): a check
// family's file, and an analyser's, builds no sentence and formats no number. This reads the
// sources, as ModuleHygieneTests does for the decoder's imports.

import Foundation
import Testing

struct WordingSplitTests {
    /// Sources/CrosswireVerify, found from this file's path (Tests/CrosswireVerifyTests/…).
    static var verifySources: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CrosswireVerify")
    }

    /// The check families' files, which return typed outcomes.
    static let typedFamilies = ["PlanChecks.swift", "ARPChecks.swift", "FlowChecks.swift", "EncapChecks.swift", "RouteChecks.swift", "NATChecks.swift", "PathChecks.swift", "BGPChecks.swift", "OSPFChecks.swift", "OSPFLinks.swift", "CheckFamily.swift", "CheckOutcome.swift"]

    /// The analysers' files, which keep typed notes on their evidence and timeline.
    static let typedAnalysers = [
        "ARPAnalyser.swift", "BlackHoleDetector.swift", "ChecksumAnalyser.swift", "ControlPlaneAnalyser.swift", "DeliveryAnalyser.swift", "FlowAnalyser.swift",
        "ICMPAnalyser.swift", "NATCorrelator.swift", "NextHopAnalyser.swift", "TrafficAnalyser.swift", "TunnelAnalyser.swift",
        "PacketAnalyser.swift", "AnalyserRegistry.swift",
    ]

    /// A string literal on one line (escapes included).
    static let literal = try! NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)

    /// Every string literal with a space or an interpolation in a family's code (comments aside),
    /// and every number formatted there.
    static func sentences(in text: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.trimmingCharacters(in: .whitespaces)
            if code.hasPrefix("//") { continue }
            let s = String(line)
            for m in literal.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
                let text = String(s[Range(m.range, in: s)!])
                if text.contains(" ") || text.contains("\\(") { found.append(text) }
            }
            if s.contains("NumberFormat.") || s.contains("String(format") { found.append(code) }
        }
        return found
    }

    @Test(arguments: typedFamilies) func checkFamilyWritesNoSentence(_ file: String) throws {
        let text = try String(contentsOf: Self.verifySources.appendingPathComponent(file), encoding: .utf8)
        let found = Self.sentences(in: text)
        #expect(found.isEmpty, "\(file) words its results itself (move it to Wording/): \(found.prefix(5))")
    }

    @Test(arguments: typedAnalysers) func analyserWritesNoSentence(_ file: String) throws {
        let text = try String(contentsOf: Self.verifySources.appendingPathComponent(file), encoding: .utf8)
        let found = Self.sentences(in: text)
        #expect(found.isEmpty, "\(file) words its evidence itself (record a typed note, word it in Wording/AnalyserNotes.swift): \(found.prefix(5))")
    }

    /// The rule catches an analyser's old evidence line (TunnelAnalyser's oversize note).
    @Test func aWordedAnalyserIsCaught() {
        let old = #"findings.oversize.add(ref, "inner packet of \(inner.totalLength) bytes exceeds the planned container MTU \(innerMTU)")"#
        #expect(Self.sentences(in: old).count == 1)
        #expect(Self.sentences(in: #"findings.oversize.add(ref, .oversizeInner(bytes: inner.totalLength, containerMTU: innerMTU))"#).isEmpty)
    }

    /// The rule itself catches a worded check (the old ARPChecks summary line).
    @Test func aWordedCheckIsCaught() {
        let old = #"return result(.arpConflict, .skip, "no ARP or IPv6 neighbour discovery in the captures")"#
        #expect(Self.sentences(in: old).count == 1)
        #expect(Self.sentences(in: #"let x = "\(n)""#).count == 1)
        #expect(Self.sentences(in: "// a comment with \"words in it\"").isEmpty)
        #expect(Self.sentences(in: #"out.add(ref, (ip, mac))"#).isEmpty)
    }
}
