// `crosswire decode` as a user meets it: output forms and input errors.

import Foundation
import Testing

struct DecodeCommandTests {
    /// A small capture written by the test itself (Ethernet, one UDP datagram in VXLAN).
    static func writeSampleCapture() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-sample-\(UUID().uuidString).pcap")
        var file = Data()
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        let frame: [UInt8] = [
            0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,  // Ethernet
            0x45, 0, 0, 28, 0, 7, 0x40, 0, 64, 17, 0, 0, 192, 168, 56, 119, 192, 168, 56, 120,  // IPv4, id 7, DF
            0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0,  // UDP 12345 > 53, no payload
        ]
        le32(1_700_000_000); le32(5); le32(UInt32(frame.count)); le32(UInt32(frame.count))
        file.append(contentsOf: frame)
        try file.write(to: url)
        return url
    }

    @Test func fieldsAreFormattedAsTsharkDoes() throws {
        let url = try Self.writeSampleCapture()
        defer { try? FileManager.default.removeItem(at: url) }
        let run = try crosswire([
            "decode", url.path, "-T", "fields", "-E", "header=y", "-e", "frame.number", "-e", "ip.id", "-e", "ip.flags.df",
            "-e", "ip.frag_offset", "-e", "eth.src", "-e", "udp.dstport", "-e", "bgp.type",
        ])
        #expect(run.status == 0)
        #expect(run.stdout == "frame.number\tip.id\tip.flags.df\tip.frag_offset\teth.src\tudp.dstport\tbgp.type\n1\t0x0007\t1\t0\t02:00:00:00:00:01\t53\t\n")
    }

    @Test func textAndJSONModes() throws {
        let url = try Self.writeSampleCapture()
        defer { try? FileManager.default.removeItem(at: url) }
        let text = try crosswire(["decode", url.path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("IP 192.168.56.119.12345 > 192.168.56.120.53: UDP len 0 ttl 64 id 7 DF"))
        let json = try crosswire(["decode", url.path, "-T", "json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["frame"] as? Int == 1)
        #expect((object?["layers"] as? [String]) == ["eth", "ip", "udp"])
    }

    @Test func missingFileIsOneLineAndExitTwo() throws {
        let run = try crosswire(["decode", "/nonexistent/capture.pcap"])
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("/nonexistent/capture.pcap"))
    }

    @Test func fileCutInsideARecordReportsTheFrameAndExitTwo() throws {
        let url = try Self.writeSampleCapture()
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 5).write(to: url)
        let run = try crosswire(["decode", url.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("frame 1"))
        #expect(run.stderr.contains(url.path))
    }

    @Test func emptyFileAndBadOptionsExitTwo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-empty-\(UUID().uuidString).pcap")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let empty = try crosswire(["decode", url.path])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains(url.path))
        let badField = try crosswire(["decode", url.path, "-T", "fields", "-e", "no.such.field"])
        #expect(badField.status == 2)
        #expect(badField.stderr.contains("no.such.field"))
        let badFlag = try crosswire(["decode", "--no-such-flag"])
        #expect(badFlag.status == 2)
    }

    @Test func unsupportedLinkTypeIsNamed() throws {
        let corpus = TestPaths.corpus
        let url = corpus.appendingPathComponent("tcpdump/pcaps/unsupported-link-type-160.pcap")
        let run = try crosswire(["decode", url.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("unsupported link type"))
    }
}
