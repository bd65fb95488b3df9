// End-to-end: the bgp*/ospf*/OSPFv* captures of the conformance corpus (Tests/Corpus) decoded with
// PacketDecoder + the BGP reassembler + the OSPF decoder, compared with
// tshark 4.0's field output (the corpus oracle), and the malformed ones run
// for robustness.
import Foundation
import Testing
@testable import CrosswireDecoder
import CrosswireDecoderText

enum Corpus {
    /// The repository's copy of the conformance corpus, `Tests/Corpus` (found from this file's path).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url.deleteLastPathComponent() }  // …/Tests/CrosswireDecoderTests/X.swift → Tests
        return url.appendingPathComponent("Corpus").path
    }()

    struct Entry { var file: String; var malformed: Bool; var linkType: String }

    static func manifest() -> [Entry] {
        guard let text = try? String(contentsOfFile: root + "/tcpdump/MANIFEST.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count > 4 else { return nil }
            return Entry(file: cols[0], malformed: cols[4] == "yes", linkType: cols[1])
        }
    }

    static func isControlPlane(_ file: String) -> Bool {
        file.hasPrefix("bgp") || file.hasPrefix("ospf") || file.hasPrefix("OSPFv")
    }

    /// tshark's rows: frame number → column name → cell.
    static func oracle(_ file: String) -> [Int: [String: String]] {
        guard let text = try? String(contentsOfFile: root + "/tcpdump/tshark/\(file).tsv", encoding: .utf8) else { return [:] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var rows: [Int: [String: String]] = [:]
        for line in lines where !line.isEmpty {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < cols.count { row[name] = cols[i] }
            if let n = Int(row["frame.number"] ?? "") { rows[n] = row }
        }
        return rows
    }

    static let fields = ["bgp.type", "bgp.nlri_prefix", "bgp.withdrawn_prefix", "bgp.update.path_attribute.next_hop",
                         "ospf.msg", "ospf.srcrouter", "ospf.area_id"]

    /// Decodes a capture and returns, per frame, the 7 columns as Crosswire writes them,
    /// plus the stops recorded (decoder and BGP/OSPF).
    static func decode(_ frames: [CapturedFrame]) -> (columns: [Int: [String: String]], stops: [String]) {
        let decoder = PacketDecoder()
        var reassembler = BGPStreamReassembler()
        var packet = DecodedPacket()
        var bgp: [Int: BGPFieldText] = [:]
        var columns: [Int: [String: String]] = [:]
        var stops: [String] = []
        func collect(_ message: borrowing RawSpan, _ d: BGPStreamDelivery) {
            switch d.kind {
            case .message:
                var text = bgp[d.frame] ?? BGPFieldText(capacity: 64)
                text.add(message: message, session: d.session)
                bgp[d.frame] = text
                BGPEventDecoder.decode(message, at: 0, options: d.session) { e in
                    if case .malformed(let stop) = e { stops.append("frame \(d.frame): \(stop)") }
                }
            case .notice(let n):
                stops.append("frame \(d.frame): stream \(n)")
            }
        }
        for f in frames {
            f.bytes.withUnsafeBytes { raw in
                let s = raw.bytes
                decoder.decode(s, linkType: f.linkType, originalLength: f.originalLength, into: &packet)
                if let stop = packet.stop, stop.isMalformed { stops.append("frame \(f.number): \(stop)") }
                var msg: [UInt8] = [], rid: [UInt8] = [], area: [UInt8] = []
                OSPFFieldText.write(packet, bytes: s, message: &msg, sourceRouter: &rid, area: &area)
                OSPFEventDecoder.decode(s, at: packet.applicationOffset, limit: packet.applicationOffset + packet.applicationLength) { e in
                    if packet.application == .ospf, case .malformed(let stop) = e { stops.append("frame \(f.number): \(stop)") }
                }
                columns[f.number] = ["ospf.msg": String(decoding: msg, as: UTF8.self),
                                     "ospf.srcrouter": String(decoding: rid, as: UTF8.self),
                                     "ospf.area_id": String(decoding: area, as: UTF8.self)]
                withUnsafePointer(to: &packet) { reassembler.ingest(PacketView($0), bytes: s, frameNumber: f.number, timestamp: f.timestamp, collect) }
            }
        }
        reassembler.finish(collect)
        for (frame, text) in bgp {
            columns[frame, default: [:]]["bgp.type"] = String(decoding: text.type, as: UTF8.self)
            columns[frame, default: [:]]["bgp.nlri_prefix"] = String(decoding: text.nlriPrefix, as: UTF8.self)
            columns[frame, default: [:]]["bgp.withdrawn_prefix"] = String(decoding: text.withdrawnPrefix, as: UTF8.self)
            columns[frame, default: [:]]["bgp.update.path_attribute.next_hop"] = String(decoding: text.nextHop, as: UTF8.self)
        }
        return (columns, stops)
    }
}

/// Differences from tshark that are tshark's quirks, not Crosswire's bugs: file, frame, field, reason.
let knownTsharkQuirks: [(file: String, frame: Int, field: String, reason: String)] = []

@Suite("BGP/OSPF corpus conformance")
struct ControlPlaneCorpusTests {
    @Test("well-formed bgp/ospf captures agree with tshark on the 7 fields")
    func conformance() throws {
        let root = Corpus.root
        var report: [String] = []
        var mismatches: [String] = []
        #expect(Corpus.manifest().count >= 150, "Tests/Corpus/tcpdump/MANIFEST.tsv not read")
        for entry in Corpus.manifest() where Corpus.isControlPlane(entry.file) && !entry.malformed {
            let frames = try CaptureFileReader.read(root + "/tcpdump/pcaps/" + entry.file)
            guard let first = frames.first, first.linkType.isSupported else {
                report.append("\(entry.file): skipped, link type \(entry.linkType) is not decoded by the core")
                continue
            }
            let oracle = Corpus.oracle(entry.file)
            let (mine, _) = Corpus.decode(frames)
            var agree = 0, total = 0
            for f in frames {
                for field in Corpus.fields {
                    total += 1
                    let expected = oracle[f.number]?[field] ?? ""
                    let got = mine[f.number]?[field] ?? ""
                    if expected == got { agree += 1; continue }
                    if knownTsharkQuirks.contains(where: { $0.file == entry.file && $0.frame == f.number && $0.field == field }) {
                        agree += 1; continue
                    }
                    mismatches.append("\(entry.file) frame \(f.number) \(field): tshark '\(expected)' crosswire '\(got)'")
                }
            }
            report.append("\(entry.file): \(agree)/\(total) cells agree (\(frames.count) frames)")
        }
        print(report.joined(separator: "\n"))
        #expect(mismatches.isEmpty, "\(mismatches.count) differences:\n\(mismatches.prefix(60).joined(separator: "\n"))")
    }

    @Test("malformed bgp/ospf captures decode without crash or hang, stops recorded")
    func robustness() throws {
        let root = Corpus.root
        var report: [String] = []
        for entry in Corpus.manifest() where Corpus.isControlPlane(entry.file) && entry.malformed {
            let frames = try CaptureFileReader.read(root + "/tcpdump/pcaps/" + entry.file)
            let started = ContinuousClock.now
            let (_, stops) = Corpus.decode(frames)
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(5), "\(entry.file) took \(elapsed)")
            report.append("\(entry.file): \(frames.count) frames, \(stops.count) stops\(stops.isEmpty ? "" : ": " + stops.prefix(3).joined(separator: "; "))")
        }
        print(report.joined(separator: "\n"))
    }
}
