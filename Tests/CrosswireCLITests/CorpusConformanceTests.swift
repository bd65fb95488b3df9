// Conformance: `crosswire decode -T fields` against tshark's own decode of
// every well-formed capture of the conformance corpus, Tests/Corpus (tshark/*.tsv, the oracle).

import Foundation
import Testing

/// The oracle's columns that the packet decoder implements.
let conformanceFields = [
    "frame.number", "frame.len", "eth.src", "eth.dst", "vlan.id", "ip.src", "ip.dst", "ip.ttl", "ip.proto", "ip.id",
    "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "vxlan.vni", "geneve.vni",
    "sll.pkttype", "sll.etype", "sll.ifindex",
    "bgp.type", "bgp.nlri_prefix", "bgp.withdrawn_prefix", "bgp.update.path_attribute.next_hop",
    "ospf.msg", "ospf.srcrouter", "ospf.area_id",
]

/// A difference from tshark that is tshark's choice rather than a decoding error.
struct TsharkQuirk {
    var file: String
    var frames: Set<String>
    var fields: Set<String>
    var reason: String
}

/// Every documented difference. Nothing else may differ.
let documentedQuirks: [TsharkQuirk] = [
    TsharkQuirk(
        file: "synthetic-ipv4-frag.pcap", frames: ["1", "3"], fields: ["udp.srcport", "udp.dstport"],
        reason: """
            tshark reassembles IPv4 fragments and shows the UDP header in the frame that completes the \
            datagram (frame 3); Crosswire decodes the UDP header where it is on the wire, in the first \
            fragment (frame 1), as tcpdump does, so that each frame stands on its own.
            """),
]

struct CorpusConformanceTests {
    /// Captures of the corpus that are well formed and of a link type the decoder walks.
    static func wellFormedCaptures() throws -> [(dir: URL, file: String)] {
        let corpus = TestPaths.corpus
        var result: [(URL, String)] = []
        for dir in ["tcpdump", "generated"] {
            let base = corpus.appendingPathComponent(dir)
            for row in try readTSV(base.appendingPathComponent("MANIFEST.tsv")) where row["malformed"] == "no" {
                let linktypes = row["linktype"] ?? ""
                let supported = ["(1)", "(113)", "(276)", "(228)", "(229)", "(101)", "(12)", "(0)", "(108)"]
                guard supported.contains(where: { linktypes.contains($0) }) else { continue }
                result.append((base, row["file"]!))
            }
        }
        return result
    }

    @Test func everyWellFormedCaptureMatchesTshark() throws {
        let captures = try Self.wellFormedCaptures()
        #expect(captures.count > 50)
        var cells = 0, quirkCells = 0
        var problems: [String] = []
        for (dir, file) in captures {
            let oracle = try readTSV(dir.appendingPathComponent("tshark/\(file).tsv"))
            var args = ["decode", dir.appendingPathComponent("pcaps/\(file)").path, "-T", "fields", "-E", "header=y"]
            for f in conformanceFields { args += ["-e", f] }
            let run = try crosswire(args)
            guard run.status == 0 else {
                problems.append("\(file): exit \(run.status): \(run.stderr)")
                continue
            }
            let ours = parseTSV(run.stdout)
            if ours.count != oracle.count { problems.append("\(file): \(ours.count) frames, tshark \(oracle.count)") }
            for (mine, theirs) in zip(ours, oracle) {
                for field in conformanceFields {
                    guard let expected = theirs[field] else { continue }
                    cells += 1
                    let got = mine[field] ?? ""
                    if got == expected { continue }
                    let frame = theirs["frame.number"] ?? "?"
                    if documentedQuirks.contains(where: { $0.file == file && $0.frames.contains(frame) && $0.fields.contains(field) }) {
                        quirkCells += 1
                        continue
                    }
                    problems.append("\(file) frame \(frame) \(field): crosswire '\(got)' tshark '\(expected)'")
                }
            }
        }
        print("conformance: \(captures.count) captures, \(cells) cells compared, \(quirkCells) documented tshark quirks, \(problems.count) differences")
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        #expect(cells > 10_000)
    }
}
