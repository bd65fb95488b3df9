// The window reader gives exactly what libpcap gives: every frame's bytes,
// lengths and timestamps, the invalid-timestamp count, and the same error at
// the same frame for a cut or corrupt file. A frame a holder keeps stays intact
// until the holder lets go of it.

import CrosswireCapture
import Foundation
import Testing

struct WindowReaderTests {
    /// The package's root: this file is Tests/CrosswireCaptureTests/WindowReaderTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every capture: the lab's and the conformance corpus's (Tests/Corpus).
    static func captures() -> [String] {
        var paths: [String] = []
        let fm = FileManager.default
        for dir in [root.appendingPathComponent("pcaps")] {
            if let walker = fm.enumerator(at: dir, includingPropertiesForKeys: nil) {
                for case let url as URL in walker where url.pathExtension == "pcap" { paths.append(url.path) }
            }
        }
        let corpus = root.appendingPathComponent("Tests/Corpus")
        for part in ["tcpdump", "generated"] {
            let dir = corpus.appendingPathComponent("\(part)/pcaps")
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] { paths.append(dir.appendingPathComponent(name).path) }
        }
        return paths.sorted()
    }

    struct Reading: Equatable {
        var frames: [String] = []
        var invalidTimestamps = 0
        var error: String?
        var linkType: UInt32 = 0
    }

    static func read(_ path: String, window: Bool) -> (Reading, windowed: Bool) {
        var r = Reading()
        do {
            var reader = try CaptureFileReader(path: path, window: window, windowMinimumSize: 0)
            let windowed = reader.readsThroughWindow
            r.linkType = reader.linkType.rawValue
            do {
                try reader.forEachFrame { info, bytes in
                    let data = bytes.withUnsafeBytes { Array($0) }
                    r.frames.append("\(info.number) \(info.seconds).\(info.nanoseconds) \(info.capturedLength)/\(info.originalLength) \(data.hashValue)")
                    return true
                }
            } catch {
                r.error = error.description
            }
            r.invalidTimestamps = reader.invalidTimestamps
            return (r, windowed)
        } catch {
            r.error = error.description
            return (r, false)
        }
    }

    @Test func bothPathsAgreeOnEveryCapture() throws {
        let paths = Self.captures()
        #expect(paths.count >= 20)
        var windowed = 0
        for path in paths {
            let (viaLibpcap, _) = Self.read(path, window: false)
            let (viaWindow, read) = Self.read(path, window: true)
            if read { windowed += 1 }
            #expect(viaWindow == viaLibpcap, "\(path): the window reader differs from libpcap")
        }
        print("window reader: \(windowed) of \(paths.count) captures read through the window, all identical to libpcap")
        #expect(windowed >= 10)
    }

    /// Cut files hand over to libpcap at the cut: the same frames and the same error.
    @Test func cutFilesHandOverToLibpcap() throws {
        let source = Self.root.appendingPathComponent("pcaps/10-vxlan-8472/host1-eth0.pcap")
        let data = try Data(contentsOf: source)
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cuts = 0
        for cut in stride(from: 24, to: data.count, by: max(1, data.count / 97)) {
            let path = dir.appendingPathComponent("cut-\(cut).pcap").path
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            let (a, _) = Self.read(path, window: false)
            let (b, windowed) = Self.read(path, window: true)
            #expect(windowed)
            #expect(a == b, "cut at \(cut)")
            cuts += 1
        }
        #expect(cuts > 50)
    }

    /// A fresh directory for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-window-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A classic pcap of `count` Ethernet records, their lengths drawn from `sizes` in turn
    /// (the largest a snapshot allows among them), each filled with bytes of its number.
    static func writeCapture(_ path: String, count: Int, sizes: [Int]) throws {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        u32(0xA1B2_C3D4); data.append(contentsOf: [2, 0, 4, 0]); u32(0); u32(0); u32(262_144); u32(1)
        for n in 0..<count {
            let size = sizes[n % sizes.count]
            u32(UInt32(n / 1000)); u32(UInt32(n % 1000)); u32(UInt32(size)); u32(UInt32(size))
            data.append(contentsOf: (0..<size).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0 &* 7) })
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Holds frames in "batches" as the analysers' worker does: a new batch every
    /// `batchFrames` frames, let go of only when the window asks. Checks each frame's bytes
    /// when it lets go of it.
    final class CheckingHolder: FrameHolder {
        var batch = 0
        var inBatch = 0
        let batchFrames: Int
        var held: [(batch: Int, bytes: UnsafeRawBufferPointer, expected: [UInt8], frame: Int)] = []
        var releases = 0
        var damaged: [Int] = []
        init(batchFrames: Int) { self.batchFrames = batchFrames }

        func hold(_ bytes: UnsafeRawBufferPointer, frame: Int) {
            held.append((batch, bytes, Array(bytes), frame))
            inBatch += 1
            if inBatch == batchFrames { (batch, inBatch) = (batch + 1, 0) }
        }
        var stamp: Int { batch }
        func release(through stamp: Int) {
            releases += 1
            // Frames of the batch being filled go with it, as the worker sends a batch early.
            if batch <= stamp { (batch, inBatch) = (stamp + 1, 0) }
            check { $0 <= stamp }
        }
        func check(_ letGo: (Int) -> Bool) {
            held.removeAll { h in
                guard letGo(h.batch) else { return false }
                if !h.bytes.elementsEqual(h.expected) { damaged.append(h.frame) }
                return true
            }
        }
    }

    /// A file many times the window's size, with records of a snapshot's length among small
    /// ones: read through a 3 MiB window (it wraps about every 2 MiB), every frame is libpcap's,
    /// and no held frame is overwritten before its holder lets go of it.
    @Test(arguments: [1, 64])
    func heldFramesStayUntilTheHolderLetsGo(batchFrames: Int) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wraps.pcap").path
        try Self.writeCapture(path, count: 600, sizes: [60, 1514, 262_144, 9000, 200, 65_535, 262_144, 4])

        let (viaLibpcap, _) = Self.read(path, window: false)
        let holder = CheckingHolder(batchFrames: batchFrames)
        var reader = try CaptureFileReader(path: path, windowMinimumSize: 0, windowSize: 3 << 20)
        reader.holder = holder
        let windowed = reader.readsThroughWindow
        #expect(windowed)
        var frames: [String] = []
        try reader.forEachFrame { info, bytes in
            let data = bytes.withUnsafeBytes { Array($0) }
            frames.append("\(info.number) \(info.seconds).\(info.nanoseconds) \(info.capturedLength)/\(info.originalLength) \(data.hashValue)")
            bytes.withUnsafeBytes { holder.hold($0, frame: info.number) }
            return true
        }
        holder.check { _ in true }
        #expect(frames == viaLibpcap.frames)
        #expect(frames.count == 600)
        #expect(holder.releases > 10, "the window never waited for its holder")
        #expect(holder.damaged.isEmpty, "\(holder.damaged.count) held frames overwritten, first \(holder.damaged.prefix(3))")
    }

    /// Without a holder, a frame's bytes are its own until the next call, as libpcap's are:
    /// the window is three chunks, and the same file reads the same.
    @Test func withoutAHolderTheWindowIsSmall() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wraps.pcap").path
        try Self.writeCapture(path, count: 300, sizes: [262_144, 70, 131_072, 1514])
        let (a, _) = Self.read(path, window: false)
        let (b, windowed) = Self.read(path, window: true)
        #expect(windowed)
        #expect(a == b)
    }
}
