// With two threads, a frame is decoded straight into a batch, over whatever an
// earlier batch left there, and the batch keeps only the packet's first
// `usedByteCount` bytes: the next record's bytes follow them. Every corpus frame
// must read the same there as in a packet of its own.

import CrosswireDecoder
import Foundation
import Testing

@Suite struct PacketInBatchTests {
    /// The well-formed corpus captures (their MANIFEST says so: the test-only reader is not
    /// meant for damaged files, which `FuzzRegressionTests` and the CLI's tests cover), and
    /// the lab's captures (tunnels, routing, NAT, dual stack).
    static let captures: [String] = {
        let root = Corpus.root
        let lab = URL(fileURLWithPath: root).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pcaps").path
        let scenarios = ((try? FileManager.default.contentsOfDirectory(atPath: lab)) ?? []).sorted().flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(lab)/\(dir)")) ?? []).sorted()
                .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map { "\(lab)/\(dir)/\($0)" }
        }
        return scenarios + ["tcpdump", "generated"].flatMap { part -> [String] in
            guard let text = try? String(contentsOfFile: "\(root)/\(part)/MANIFEST.tsv", encoding: .utf8) else { return [] }
            return text.split(separator: "\n").dropFirst().compactMap { line in
                let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
                return cols.count > 4 && cols[4] == "no" ? "\(root)/\(part)/pcaps/\(cols[0])" : nil
            }
        }
    }()

    @Test func everyCorpusFrameReadsTheSameDecodedInABatch() throws {
        let decoder = PacketDecoder()
        let own = DecodedPacketBuffer()
        let size = MemoryLayout<DecodedPacket>.size, stride = MemoryLayout<DecodedPacket>.alignment
        let room = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * size + 64, alignment: 64)
        defer { room.deallocate() }
        var frames = 0, files = 0
        for path in Self.captures {
            guard let captured = try? CaptureFileReader.read(path) else { continue }
            files += 1
            for f in captured.prefix(2000) {
                try f.bytes.withUnsafeBytes { raw in
                    let a = own.decode(raw.bytes, by: decoder, linkType: f.linkType, originalLength: f.originalLength)
                    // Over stale bytes, at an offset that is aligned but not the allocation's.
                    room.initializeMemory(as: UInt8.self, repeating: 0xA5)
                    let at = room.baseAddress! + stride * (1 + frames % 3)
                    let slot = at.bindMemory(to: DecodedPacket.self, capacity: 1)
                    decoder.decode(raw.bytes, linkType: f.linkType, originalLength: f.originalLength, into: slot)
                    let b = PacketView(slot)
                    // The next record's bytes overwrite all the batch does not keep.
                    (at + b.usedByteCount).initializeMemory(as: UInt8.self, repeating: 0x5A, count: size - b.usedByteCount)
                    let where_ = "\(path) frame \(f.number)"
                    #expect(a.usedByteCount == b.usedByteCount, "\(where_)")
                    #expect(a.linkType == b.linkType, "\(where_)")
                    #expect(a.capturedLength == b.capturedLength && a.originalLength == b.originalLength, "\(where_)")
                    #expect(a.levelCount == b.levelCount, "\(where_)")
                    #expect(a.application == b.application && a.applicationLevel == b.applicationLevel, "\(where_)")
                    #expect(a.applicationOffset == b.applicationOffset && a.applicationLength == b.applicationLength, "\(where_)")
                    #expect(a.stop == b.stop, "\(where_)")
                    #expect(a.innermostIPLevel == b.innermostIPLevel && a.firstTunnelLevel == b.firstTunnelLevel, "\(where_)")
                    try #require(a.levelCount == b.levelCount)
                    for i in 0..<a.levelCount {
                        #expect(Self.fields(a.levels[i]) == Self.fields(b.levels[i]), "\(where_): level \(i) differs")
                    }
                }
                frames += 1
            }
        }
        print("packet in a batch: \(frames) frames of \(files) of \(Self.captures.count) captures")
        #expect(files > 100 && frames > 5_000, "only \(frames) frames of \(files) captures read")
    }

    /// Every field of a level, padding left out (the bytes between fields are whatever the
    /// memory held). A mirror does not show an `InlineArray`'s elements: the tags are added.
    static func fields(_ level: LevelView) -> String {
        var text = "\(level.origin) \(String(describing: level.cooked)) \(String(describing: level.ethernet)) \(level.vlanCount)"
        for i in 0..<min(level.vlanCount, 4) { text += " \(level.vlans[i])" }
        text += " \(level.etherType) \(String(describing: level.arp)) \(String(describing: level.ip))"
        return text + " \(level.transport) \(String(describing: level.tunnel))"
    }
}
