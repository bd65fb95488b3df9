// Truncated and corrupt capture files, end to end through the real binary.
//
// Real captures (three from pcaps/, a pcapng and a LINUX_SLL2 capture from
// the conformance corpus, Tests/Corpus) are cut at many offsets: every byte of the file header
// (pcapng: the Section Header and Interface Description blocks), every byte
// of the first three record headers, every record boundary ±1 of a spread of
// records, and 24 offsets spread through the packets: 457 cut points in all
// (the count is checked below and stated in docs/HARDENING.md). Each cut
// file goes through `crosswire verify` and `crosswire decode`:
//
// * cut inside the file header: exit 2, one stderr line naming the file, no report;
// * cut exactly on a record boundary: an ordinary capture — exit 0 or 1, nothing on stderr;
// * cut anywhere else: exit 2, one stderr line naming the file and the frame where
//   reading stopped; verify still writes the JSON verdict, whose
//   `captures[0].incomplete.frame` is that frame and `packets` the frames before it.
//
// Then small crafted pcaps: invalid timestamps, caplen above the snapshot
// length, an impossible caplen, zero-length records.

import Foundation
import Testing

struct CaptureTruncationTests {
    /// A capture to cut, with the plan to verify it against.
    struct Subject: Sendable, CustomTestStringConvertible {
        var file: URL
        var plan: URL
        var testDescription: String { file.lastPathComponent }
    }

    /// Where the header ends and where each record (pcap record or pcapng block) lies.
    struct Layout {
        var headerEnd: Int
        /// Records after the header: byte range, header length, and whether it is a frame.
        var records: [(start: Int, end: Int, headerLength: Int, isFrame: Bool)]
        var size: Int

        init(_ d: [UInt8]) {
            size = d.count
            records = []
            func u32(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 | Int(d[at + 2]) << 16 | Int(d[at + 3]) << 24 }
            if d.starts(with: [0x0A, 0x0D, 0x0D, 0x0A]) {
                // pcapng (little-endian, as every pcapng used here): blocks of type, length, body, length.
                var at = 0
                headerEnd = 0
                while at + 8 <= d.count {
                    let type = u32(at), length = u32(at + 4)
                    if headerEnd > 0 {
                        records.append((at, at + length, type == 6 ? 28 : 8, type == 6 || type == 3))
                    } else if type == 1 {
                        headerEnd = at + length  // libpcap reads up to the first IDB when it opens the file
                    }
                    at += length
                }
            } else {
                // pcap, little-endian: 24-byte file header, then 16-byte record headers and caplen bytes.
                headerEnd = 24
                var at = 24
                while at + 16 <= d.count {
                    let end = at + 16 + u32(at + 8)
                    records.append((at, end, 16, true))
                    at = end
                }
            }
        }

        /// The cut offsets, in order.
        var cuts: [Int] {
            var set = Set(0..<headerEnd)
            for r in records.prefix(3) { set.formUnion(r.start..<(r.start + r.headerLength)) }
            let step = max(1, records.count / 8)
            for r in stride(from: 0, to: records.count, by: step).map({ records[$0] }) {
                set.formUnion([r.start - 1, r.start, r.start + 1, r.end - 1])
            }
            for i in 1...24 { set.insert(headerEnd + (size - headerEnd) * i / 25) }
            set.insert(size)
            return set.filter { $0 >= 0 && $0 <= size }.sorted()
        }

        /// Frames wholly before `cut`, and whether `cut` falls on a record boundary.
        func frames(before cut: Int) -> (complete: Int, onBoundary: Bool) {
            let complete = records.filter { $0.isFrame && $0.end <= cut }.count
            let onBoundary = cut == headerEnd || records.contains { $0.end == cut }
            return (complete, onBoundary)
        }
    }

    static func plan(_ scenario: String) -> URL { TestPaths.pcaps.appendingPathComponent("\(scenario)/plan.yaml") }

    static let labSubjects: [Subject] = [
        Subject(file: TestPaths.pcaps.appendingPathComponent("08-bgp/host1-eth0.pcap"), plan: plan("08-bgp")),
        Subject(file: TestPaths.pcaps.appendingPathComponent("10-vxlan-8472/host1-eth0.pcap"), plan: plan("10-vxlan-8472")),
        Subject(file: TestPaths.pcaps.appendingPathComponent("06-ospf/host1-eth0.pcap"), plan: plan("06-ospf")),
    ]

    static let corpusSubjects: [Subject] = {
        let corpus = TestPaths.corpus
        return [
            Subject(file: corpus.appendingPathComponent("tcpdump/pcaps/bgp-role.pcapng"), plan: plan("08-bgp")),
            Subject(file: corpus.appendingPathComponent("generated/pcaps/sll2-loopback-capture.pcap"), plan: plan("01-static-routes")),
        ]
    }()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    /// Cuts `subject` at every offset of its layout and checks verify and decode on each. Returns the count of cuts.
    @discardableResult
    static func cutEverywhere(_ subject: Subject) async throws -> Int {
        let bytes = try [UInt8](Data(contentsOf: subject.file))
        let layout = Layout(bytes)
        try #require(layout.records.count > 3, "\(subject.file.path): too few records to cut")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cutFile = dir.appendingPathComponent("cut-" + subject.file.lastPathComponent)
        let out = dir.appendingPathComponent("out")
        let json = out.appendingPathComponent("crosswire.json")
        for cut in layout.cuts {
            try Data(bytes.prefix(cut)).write(to: cutFile)
            try? FileManager.default.removeItem(at: out)
            let context = "\(subject.file.lastPathComponent) cut at \(cut) of \(bytes.count)"
            let verify = try await crosswireAsync(["verify", "--plan", subject.plan.path, cutFile.path, "--format", "json", "--output", out.path, "-q"], timeout: 60)
            let decode = try await crosswireAsync(["decode", "-T", "fields", "-e", "frame.number", cutFile.path], timeout: 60)
            #expect(!verify.crashed && !verify.timedOut && !decode.crashed && !decode.timedOut, "\(context)")

            if cut < layout.headerEnd {
                // Not a capture at all: nothing to verify, one line naming the file.
                #expect(verify.status == 2, "\(context): verify exit \(verify.status)")
                #expect(decode.status == 2, "\(context): decode exit \(decode.status)")
                for run in [verify, decode] {
                    #expect(lines(run.stderr).count == 1 && run.stderr.contains(cutFile.path), "\(context): \(run.stderr)")
                }
                #expect(!FileManager.default.fileExists(atPath: json.path), "\(context): a report for an unreadable file")
                continue
            }
            let (complete, onBoundary) = layout.frames(before: cut)
            let report = try? Data(contentsOf: json)
            #expect(report != nil, "\(context): no JSON report")
            let verdict = report.flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
            let capture = (verdict?["captures"] as? [[String: Any]])?.first
            #expect(capture?["packets"] as? Int == complete, "\(context): packets \(capture?["packets"] ?? "none"), expected \(complete)")
            #expect(lines(decode.stdout).count == complete, "\(context): decode printed \(lines(decode.stdout).count) frames")
            if onBoundary {
                #expect(verify.status == 0 || verify.status == 1, "\(context): verify exit \(verify.status): \(verify.stderr)")
                #expect(decode.status == 0, "\(context): decode exit \(decode.status): \(decode.stderr)")
                #expect(verify.stderr.isEmpty && decode.stderr.isEmpty, "\(context): \(verify.stderr)\(decode.stderr)")
                #expect(capture?["incomplete"] == nil, "\(context): marked incomplete on a record boundary")
            } else {
                let frame = "frame \(complete + 1)"
                #expect(verify.status == 2, "\(context): verify exit \(verify.status)")
                #expect(decode.status == 2, "\(context): decode exit \(decode.status)")
                for run in [verify, decode] {
                    let err = lines(run.stderr)
                    #expect(err.count == 1 && run.stderr.contains(cutFile.path) && run.stderr.contains(frame + ":"),
                            "\(context): expected one line naming the file and \(frame): \(run.stderr)")
                }
                let incomplete = capture?["incomplete"] as? [String: Any]
                #expect(incomplete?["frame"] as? Int == complete + 1, "\(context): incomplete \(String(describing: incomplete))")
            }
        }
        return layout.cuts.count
    }

    @Test(arguments: labSubjects)
    func labCaptureCutEverywhere(_ subject: Subject) async throws {
        try await Self.cutEverywhere(subject)
    }

    @Test(arguments: corpusSubjects)
    func corpusCaptureCutEverywhere(_ subject: Subject) async throws {
        try await Self.cutEverywhere(subject)
    }

    /// The number of cut points, as docs/HARDENING.md states it.
    @Test func cutPointCount() throws {
        var counts: [String: Int] = [:]
        for s in Self.labSubjects + Self.corpusSubjects {
            counts[s.file.lastPathComponent] = Layout(try [UInt8](Data(contentsOf: s.file))).cuts.count
        }
        let total = counts.values.reduce(0, +)
        #expect(total == 457, "\(counts), \(total) in all")
    }

    // MARK: crafted files

    static let arpFrame: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ]

    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

    /// A little-endian pcap file header (`nano`: the nanosecond magic).
    static func fileHeader(snapLength: UInt32 = 65535, nano: Bool = false) -> [UInt8] {
        le32(nano ? 0xA1B2_3C4D : 0xA1B2_C3D4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(snapLength) + le32(1)
    }

    static func record(_ data: [UInt8], seconds: UInt32 = 1_700_000_000, subsecond: UInt32 = 0, caplen: UInt32? = nil, length: UInt32? = nil) -> [UInt8] {
        le32(seconds) + le32(subsecond) + le32(caplen ?? UInt32(data.count)) + le32(length ?? UInt32(data.count)) + data
    }

    struct Crafted {
        var verify: ProcessResult
        var decode: ProcessResult
        var capture: [String: Any]
    }

    /// Writes `bytes` as a capture, verifies and decodes it.
    static func run(_ bytes: [UInt8], fields: [String] = ["frame.number", "frame.len", "frame.cap_len", "frame.time_epoch"]) async throws -> Crafted {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("crafted.pcap")
        try Data(bytes).write(to: file)
        let out = dir.appendingPathComponent("out")
        let verify = try await crosswireAsync(["verify", "--plan", plan("01-static-routes").path, file.path, "--format", "json", "--output", out.path, "-q"], timeout: 60)
        let decode = try await crosswireAsync(["decode", "-T", "fields"] + fields.flatMap { ["-e", $0] } + [file.path], timeout: 60)
        let verdict = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("crosswire.json"))) as? [String: Any]
        let capture = try #require((verdict?["captures"] as? [[String: Any]])?.first)
        return Crafted(verify: verify, decode: decode, capture: capture)
    }

    /// Sub-second fields of a second or more (microsecond and nanosecond files): read, carried into
    /// the seconds, and counted in `invalid_timestamps`; the capture is still usable (exit 0/1).
    @Test(arguments: [false, true])
    func invalidTimestampsAreNormalisedAndCounted(nano: Bool) async throws {
        let scale: UInt32 = nano ? 1000 : 1
        let file = Self.fileHeader(nano: nano)
            + Self.record(Self.arpFrame, subsecond: 999_999 * scale)
            + Self.record(Self.arpFrame, subsecond: 1_500_000 * scale)
            + Self.record(Self.arpFrame, subsecond: 0x8000_0000)  // read by libpcap as a negative value
        let r = try await Self.run(file)
        #expect(r.verify.status == 0 || r.verify.status == 1, "\(r.verify.stderr)")
        #expect(r.decode.status == 0, "\(r.decode.stderr)")
        #expect(r.capture["packets"] as? Int == 3)
        #expect(r.capture["invalid_timestamps"] as? Int == 2)
        let times = Self.lines(r.decode.stdout).map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        #expect(times.count == 3)
        #expect(times.first == "1700000000.999999000")
        #expect(times.dropFirst().first == "1700000001.500000000")
    }

    /// A well-formed capture has no `invalid_timestamps` key at all.
    @Test func validTimestampsAreNotReported() async throws {
        let r = try await Self.run(Self.fileHeader() + Self.record(Self.arpFrame))
        #expect(r.capture["invalid_timestamps"] == nil)
        #expect(r.capture["packets"] as? Int == 1)
    }

    /// caplen above the file's snapshot length (but within libpcap's limit): libpcap keeps snaplen
    /// bytes and skips the rest; the frame keeps its wire length, and the next frame is read intact.
    @Test func caplenAboveSnapLengthIsCutToIt() async throws {
        let long = Self.arpFrame + [UInt8](repeating: 0, count: 100)
        let r = try await Self.run(Self.fileHeader(snapLength: 64) + Self.record(long) + Self.record(Self.arpFrame))
        #expect(r.verify.status == 0 || r.verify.status == 1, "\(r.verify.stderr)")
        #expect(r.capture["packets"] as? Int == 2)
        #expect(r.capture["incomplete"] == nil)
        let rows = Self.lines(r.decode.stdout).map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 2)
        #expect(rows.first?[1] == "\(long.count)" && rows.first?[2] == "64", "\(rows)")
        #expect(rows.last?[1] == "42" && rows.last?[2] == "42", "\(rows)")
    }

    /// A caplen no capture can have (2 GiB): reading stops there, like a cut file — exit 2, one line
    /// naming the file and frame 2, and the verdict covers frame 1, marked incomplete at frame 2.
    @Test func impossibleCaplenStopsReadingAtThatFrame() async throws {
        let file = Self.fileHeader() + Self.record(Self.arpFrame)
            + Self.le32(1_700_000_000) + Self.le32(0) + Self.le32(0x7FFF_FFFF) + Self.le32(0x7FFF_FFFF) + Self.arpFrame
        let r = try await Self.run(file)
        #expect(r.verify.status == 2)
        #expect(r.decode.status == 2)
        for run in [r.verify, r.decode] {
            #expect(Self.lines(run.stderr).count == 1 && run.stderr.contains("crafted.pcap: frame 2:"), "\(run.stderr)")
        }
        #expect(r.capture["packets"] as? Int == 1)
        #expect((r.capture["incomplete"] as? [String: Any])?["frame"] as? Int == 2)
    }

    /// Zero-length records (caplen 0, with a wire length of 0 or 60): each is a frame that decodes
    /// to nothing and counts as malformed; the frames around them are unaffected.
    @Test func zeroLengthRecordsAreMalformedFrames() async throws {
        let file = Self.fileHeader() + Self.record([]) + Self.record(Self.arpFrame) + Self.record([], length: 60)
        let r = try await Self.run(file, fields: ["frame.number", "frame.len", "frame.cap_len", "arp.opcode", "crosswire.stop"])
        #expect(r.verify.status == 0 || r.verify.status == 1, "\(r.verify.stderr)")
        #expect(r.decode.status == 0, "\(r.decode.stderr)")
        #expect(r.capture["packets"] as? Int == 3)
        #expect(r.capture["malformed"] as? Int == 2)
        let rows = Self.lines(r.decode.stdout).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 3)
        #expect(rows[0][2] == "0" && rows[0][4].contains("truncated"), "\(rows)")
        #expect(rows[1][3] == "1" && rows[1][4].isEmpty, "\(rows)")
        #expect(rows[2][1] == "60" && rows[2][2] == "0", "\(rows)")
    }
}
