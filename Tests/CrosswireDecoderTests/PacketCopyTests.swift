// With two threads, a decoded packet crosses to the analysers' thread as the
// bytes `PacketView.copy(to:)` writes, and `DecodedPacketBuffer.restore(from:)`
// rebuilds it over whatever packet that buffer held. Every corpus frame must
// read the same through both views.

import CrosswireDecoder
import Foundation
import Testing

@Suite struct PacketCopyTests {
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

    @Test func everyCorpusFrameReadsTheSameAfterItsCopyIsRestored() throws {
        let decoder = PacketDecoder()
        let original = DecodedPacketBuffer(), restored = DecodedPacketBuffer()
        var room = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { room.deallocate() }
        var frames = 0, files = 0
        for path in Self.captures {
            guard let captured = try? CaptureFileReader.read(path) else { continue }
            files += 1
            // Restored over the previous frame's packet, so every field left out would show.
            for f in captured.prefix(2000) {
                try f.bytes.withUnsafeBytes { raw in
                    let a = original.decode(raw.bytes, by: decoder, linkType: f.linkType, originalLength: f.originalLength)
                    if room.count < a.copyByteCount + 1 {
                        room.deallocate()
                        room = .allocate(byteCount: a.copyByteCount + 1, alignment: 1)
                    }
                    // One byte in: the copy must not rely on alignment.
                    a.copy(to: room.baseAddress! + 1)
                    let b = restored.restore(from: room.baseAddress! + 1)
                    let at = "\(path) frame \(f.number)"
                    #expect(a.linkType == b.linkType, "\(at)")
                    #expect(a.capturedLength == b.capturedLength && a.originalLength == b.originalLength, "\(at)")
                    #expect(a.levelCount == b.levelCount, "\(at)")
                    #expect(a.application == b.application && a.applicationLevel == b.applicationLevel, "\(at)")
                    #expect(a.applicationOffset == b.applicationOffset && a.applicationLength == b.applicationLength, "\(at)")
                    #expect(a.stop == b.stop, "\(at)")
                    let levelBytes = a.levelCount * MemoryLayout<PacketLevel>.stride
                    let same = memcmp(
                        UnsafeRawPointer(a.packet) + DecodedPacket.firstLevelOffset,
                        UnsafeRawPointer(b.packet) + DecodedPacket.firstLevelOffset, levelBytes) == 0
                    #expect(same, "\(at): levels differ")
                    try #require(a.levelCount == b.levelCount)
                }
                frames += 1
            }
        }
        print("packet copy: \(frames) frames of \(files) of \(Self.captures.count) captures")
        #expect(files > 100 && frames > 5_000, "only \(frames) frames of \(files) captures read")
    }
}
