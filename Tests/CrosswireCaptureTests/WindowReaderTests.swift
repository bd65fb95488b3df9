// The window reader gives exactly what libpcap gives: every frame's bytes,
// lengths and timestamps, the invalid-timestamp count, and the same error at
// the same frame for a cut or corrupt file. A frame a holder keeps stays intact
// until the holder lets go of it.

import CrosswireCapture
import Foundation
import Synchronization
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
                for case let url as URL in walker where ["pcap", "pcapng"].contains(url.pathExtension) { paths.append(url.path) }
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

    static func read(
        _ path: String, window: Bool, readsAhead: (any ChunkReadTaker)? = nil, windowSize: Int = CaptureFileReader.windowSize
    ) -> (Reading, windowed: Bool) {
        var r = Reading()
        do {
            var reader = try CaptureFileReader(path: path, window: window, windowMinimumSize: 0, windowSize: windowSize)
            reader.readsAhead = readsAhead
            let windowed = reader.readsThroughWindow
            r.linkType = reader.linkType.rawValue
            do {
                try reader.forEachFrame { info, bytes in
                    r.frames.append(Self.line(info, bytes))
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

    /// All the reader tells of a frame, as one line.
    static func line(_ info: FrameInfo, _ bytes: borrowing RawSpan) -> String {
        let data = bytes.withUnsafeBytes { Array($0) }
        return "\(info.number) \(info.seconds).\(info.nanoseconds) \(info.capturedLength)/\(info.originalLength) "
            + "if \(info.interfaceID) \(info.direction) \(data.hashValue)"
    }

    /// How many frames of `path` the window handed out before it handed over to libpcap (all:
    /// it read the whole file).
    static func framesFromWindow(_ path: String) throws -> (window: Int, all: Int) {
        var reader = try CaptureFileReader(path: path, windowMinimumSize: 0)
        var (window, all) = (0, 0)
        // Up to the end, or to an error libpcap reports (the same as `read` finds).
        while (try? reader.next()) ?? nil != nil {
            all += 1
            if reader.lastFrameIsInWindow { window += 1 }
        }
        return (window, all)
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
    ///
    /// Reads posted ahead (`reads`): none taken; done on another thread, after a pause now and
    /// then; done at once, on the reading thread; or taken and never done, or refused, so
    /// that the reading thread does them itself.
    final class CheckingHolder: FrameHolder, ChunkReadTaker, @unchecked Sendable {
        enum Reads: CaseIterable { case none, otherThread, atOnce, takenNotDone, refused }
        var batch = 0
        var inBatch = 0
        let batchFrames: Int
        var held: [(batch: Int, bytes: UnsafeRawBufferPointer, expected: [UInt8], frame: Int)] = []
        var releases = 0
        var damaged: [Int] = []
        let reads: Reads
        let thread = DispatchQueue(label: "reads ahead")
        let readsDone = Atomic(0)
        var posted = 0
        init(batchFrames: Int, reads: Reads = .none) { (self.batchFrames, self.reads) = (batchFrames, reads) }

        func readAhead(_ read: ChunkRead) -> Bool {
            posted += 1
            switch reads {
            case .none, .refused: return false
            case .takenNotDone: return true
            case .atOnce: if read.perform() { readsDone.add(1, ordering: .relaxed) }
            case .otherThread:
                let pause = posted % 3 == 0
                thread.async { [self] in
                    if pause { usleep(300) }
                    if read.perform() { readsDone.add(1, ordering: .relaxed) }
                }
            }
            return true
        }

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
        #expect(try Self.readHeld(path, batchFrames: batchFrames) == 600)
    }

    /// Reads `path` through a 3 MiB window whose frames a `CheckingHolder` keeps; expects
    /// libpcap's frames, waits for the holder, and no held frame overwritten. Returns the frames read.
    static func readHeld(
        _ path: String, batchFrames: Int, reads: CheckingHolder.Reads = .none, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        let (viaLibpcap, _) = Self.read(path, window: false)
        let holder = CheckingHolder(batchFrames: batchFrames, reads: reads)
        var reader = try CaptureFileReader(path: path, windowMinimumSize: 0, windowSize: 3 << 20)
        reader.holder = holder
        if reads != .none { reader.readsAhead = holder }
        let windowed = reader.readsThroughWindow
        #expect(windowed, sourceLocation: sourceLocation)
        var frames: [String] = []
        try reader.forEachFrame { info, bytes in
            frames.append(Self.line(info, bytes))
            bytes.withUnsafeBytes { holder.hold($0, frame: info.number) }
            return true
        }
        holder.thread.sync {}
        holder.check { _ in true }
        if reads != .none { #expect(holder.posted > 10, "no read posted ahead", sourceLocation: sourceLocation) }
        if reads == .otherThread || reads == .atOnce {
            #expect(holder.readsDone.load(ordering: .relaxed) > 10, "the holder did no read", sourceLocation: sourceLocation)
        }
        #expect(frames == viaLibpcap.frames, sourceLocation: sourceLocation)
        #expect(holder.releases > 10, "the window never waited for its holder", sourceLocation: sourceLocation)
        #expect(
            holder.damaged.isEmpty, "\(holder.damaged.count) held frames overwritten, first \(holder.damaged.prefix(3))",
            sourceLocation: sourceLocation)
        return frames.count
    }

    /// Reads posted ahead for the holder's thread, done there (some after the reading thread
    /// needed them), at once, never, or refused: every frame is still libpcap's, and no held
    /// frame is overwritten, across the wraps.
    @Test(arguments: CheckingHolder.Reads.allCases.filter { $0 != .none })
    func readsAheadGiveTheSameFrames(reads: CheckingHolder.Reads) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wraps.pcap").path
        try Self.writeCapture(path, count: 600, sizes: [60, 1514, 262_144, 9000, 200, 65_535, 262_144, 4])
        #expect(try Self.readHeld(path, batchFrames: 8, reads: reads) == 600)
        let pcapng = dir.appendingPathComponent("wraps.pcapng").path
        try Self.pcapng(bigEndian: false, packets: 500).write(to: URL(fileURLWithPath: pcapng))
        #expect(try Self.readHeld(pcapng, batchFrames: 8, reads: reads) == 500)
    }

    /// Without a holder (as `decode` reads), reads ahead on a thread of their own: the frames
    /// are libpcap's, through a window that wraps (3 MiB) and one that holds the whole file.
    @Test func readsAheadOnAThreadOfTheirOwnGiveTheSameFrames() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pcap = dir.appendingPathComponent("wraps.pcap").path
        try Self.writeCapture(pcap, count: 600, sizes: [60, 1514, 262_144, 9000, 200, 65_535, 262_144, 4])
        let pcapng = dir.appendingPathComponent("wraps.pcapng").path
        try Self.pcapng(bigEndian: false, packets: 500).write(to: URL(fileURLWithPath: pcapng))
        for path in [pcap, pcapng] {
            let (viaLibpcap, _) = Self.read(path, window: false)
            for windowSize in [3 << 20, 64 << 20] {
                let thread = ReadAheadThread()
                let (viaWindow, windowed) = Self.read(path, window: true, readsAhead: thread, windowSize: windowSize)
                thread.stop()
                #expect(windowed)
                #expect(viaWindow == viaLibpcap, "\(path), window \(windowSize)")
            }
        }
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

    /// pcapng blocks in one byte order, for files a test writes.
    struct Pcapng {
        var bigEndian = false
        var data = Data()

        mutating func u16(_ v: UInt16) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func u64(_ v: UInt64) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { data.append(contentsOf: $0) } }

        /// A block of `type` whose body `body` writes.
        mutating func block(_ type: UInt32, _ body: (inout Pcapng) -> Void) {
            var inner = Pcapng(bigEndian: bigEndian)
            body(&inner)
            while inner.data.count % 4 != 0 { inner.data.append(0) }
            let length = UInt32(12 + inner.data.count)
            u32(type); u32(length); data.append(inner.data); u32(length)
        }
        mutating func option(_ code: UInt16, _ value: [UInt8]) {
            u16(code); u16(UInt16(value.count)); data.append(contentsOf: value)
            while data.count % 4 != 0 { data.append(0) }
        }
        mutating func sectionHeader() {
            block(0x0A0D_0D0A) { b in b.u32(0x1A2B_3C4D); b.u16(1); b.u16(0); b.u64(UInt64.max) }
        }
        /// An IDB; `resolution`: the if_tsresol byte, `offset`: if_tsoffset seconds (nil: none).
        mutating func interface(link: UInt16 = 1, snaplen: UInt32 = 0, resolution: UInt8? = nil, offset: Int64? = nil) {
            block(1) { b in
                b.u16(link); b.u16(0); b.u32(snaplen)
                if let resolution { b.option(9, [resolution]) }
                if let offset {
                    var o = Pcapng(bigEndian: b.bigEndian)
                    o.u64(UInt64(bitPattern: offset))
                    b.option(14, Array(o.data))
                }
                b.option(0, [])
            }
        }
        /// An EPB of `size` bytes filled from `n`, on `interface`; `flags`: epb_flags (nil: none).
        mutating func packet(_ n: Int, interface: UInt32, size: Int, time: UInt64, flags: UInt32? = nil) {
            block(6) { b in
                b.u32(interface); b.u32(UInt32(time >> 32)); b.u32(UInt32(truncatingIfNeeded: time)); b.u32(UInt32(size)); b.u32(UInt32(size + 4))
                b.data.append(contentsOf: (0..<size).map { UInt8(truncatingIfNeeded: n &* 13 &+ $0 &* 5) })
                while b.data.count % 4 != 0 { b.data.append(0) }
                if let flags {
                    var f = Pcapng(bigEndian: b.bigEndian)
                    f.u32(flags)
                    b.option(2, Array(f.data))
                    b.option(0, [])
                }
            }
        }
        /// A block libpcap skips: name resolution (4), interface statistics (5), or a custom one.
        mutating func other(_ type: UInt32, bytes: Int) { block(type) { b in b.data.append(contentsOf: [UInt8](repeating: 0x77, count: bytes)) } }
    }

    /// Two interfaces with their own time resolutions and offset, blocks libpcap skips between
    /// the packets, epb_flags directions, in both byte orders; then `tail` writes more.
    static func pcapng(bigEndian: Bool, packets: Int, tail: (inout Pcapng) -> Void = { _ in }) -> Data {
        var f = Pcapng(bigEndian: bigEndian)
        f.sectionHeader()
        f.other(4, bytes: 20)
        f.interface(resolution: 9)
        f.interface(snaplen: 262_144, offset: -3600)
        let sizes = [60, 1514, 9000, 200, 65_535, 4, 262_144]
        for n in 0..<packets {
            if n % 97 == 50 { f.other(n % 2 == 0 ? 5 : 0x0000_0BAD, bytes: 4 * (n % 7)) }
            let interface = UInt32(n % 2)
            let time = interface == 0 ? 1_700_000_000_123_456_789 + UInt64(n) * 1_000_003 : 1_700_000_000_000_000 + UInt64(n) * 77
            f.packet(n, interface: interface, size: sizes[n % sizes.count], time: time, flags: n % 3 == 0 ? nil : UInt32(n % 3))
        }
        tail(&f)
        return f.data
    }

    /// pcapng read through the window gives what libpcap gives: interfaces, time stamps in
    /// each interface's resolution and offset, directions, in either byte order; and where the
    /// window hands over (a binary resolution, a second section, a simple packet block, an
    /// interface libpcap refuses, a block whose two lengths differ, a cut), libpcap's frames
    /// and error from there on.
    @Test func pcapngFilesReadAsLibpcapReadsThem() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let endings: [(String, (inout Pcapng) -> Void)] = [
            ("plain", { _ in }),
            ("binary resolution", { f in f.interface(resolution: 0x80 | 20); f.packet(1, interface: 2, size: 90, time: 1 << 40) }),
            ("second section", { f in f.sectionHeader(); f.interface(); f.packet(2, interface: 0, size: 70, time: 5) }),
            ("simple packet block", { f in f.block(3) { b in b.u32(64); b.data.append(contentsOf: [UInt8](repeating: 1, count: 64)) } }),
            ("another snapshot length", { f in f.interface(snaplen: 1000); f.packet(3, interface: 0, size: 80, time: 9) }),
            ("another link type", { f in f.interface(link: 113); f.packet(4, interface: 0, size: 80, time: 9) }),
            ("unknown interface", { f in f.packet(5, interface: 7, size: 80, time: 9) }),
            ("oversize capture", { f in f.block(6) { b in b.u32(0); b.u32(0); b.u32(0); b.u32(300_000); b.u32(300_000) } }),
            ("trailer length differs", { f in f.packet(6, interface: 0, size: 80, time: 9); f.data[f.data.count - 2] ^= 1 }),
        ]
        for bigEndian in [false, true] {
            for (name, tail) in endings {
                let path = dir.appendingPathComponent("\(name)-\(bigEndian).pcapng").path
                try Self.pcapng(bigEndian: bigEndian, packets: 400, tail: tail).write(to: URL(fileURLWithPath: path))
                let (viaLibpcap, _) = Self.read(path, window: false)
                let (viaWindow, windowed) = Self.read(path, window: true)
                #expect(windowed, "\(name)")
                #expect(viaLibpcap.frames.count >= 400, "\(name)")
                #expect(viaWindow == viaLibpcap, "\(name), big-endian \(bigEndian)")
            }
        }
        // The window itself read every frame of the plain files, and those before the ending of the others.
        for bigEndian in [false, true] {
            for (name, _) in endings {
                let read = try Self.framesFromWindow(dir.appendingPathComponent("\(name)-\(bigEndian).pcapng").path)
                #expect(read.window >= 400, "\(name), big-endian \(bigEndian): \(read.window) frames from the window")
                if name == "plain" { #expect(read.window == read.all) }
            }
        }
        // Both interfaces' frames, with all three directions, came through.
        let (plain, _) = Self.read(dir.appendingPathComponent("plain-false.pcapng").path, window: true)
        for part in ["if 0 ", "if 1 ", "inbound", "outbound", "unknown"] {
            #expect(plain.frames.contains { $0.contains(part) }, "no frame with \(part)")
        }
        // Cut anywhere: the same frames, and libpcap's error at the same frame.
        let whole = Self.pcapng(bigEndian: false, packets: 40)
        for cut in stride(from: 40, to: whole.count, by: max(1, whole.count / 89)) {
            let path = dir.appendingPathComponent("cut-\(cut).pcapng").path
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            let (a, _) = Self.read(path, window: false)
            let (b, _) = Self.read(path, window: true)
            #expect(a == b, "cut at \(cut)")
        }
    }

    /// A pcapng file many times the window's size: every frame is libpcap's, and no frame a
    /// holder keeps is overwritten before it lets go of it.
    @Test func heldPcapngFramesStayUntilTheHolderLetsGo() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wraps.pcapng").path
        try Self.pcapng(bigEndian: false, packets: 500).write(to: URL(fileURLWithPath: path))
        #expect(try Self.readHeld(path, batchFrames: 16) == 500)
    }

    /// Damaged pcapng (bytes overwritten at random, some files cut too) reads through the window
    /// exactly as through libpcap: the same frames, the same error at the same frame. 300 files
    /// from a fixed seed.
    @Test func damagedPcapngReadsAsLibpcapReadsIt() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = [UInt8](Self.pcapng(bigEndian: false, packets: 60))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        var differing: [Int] = []
        for n in 0..<300 {
            var bytes = whole
            for _ in 0..<(1 << random(5)) { bytes[random(bytes.count)] = UInt8(random(256)) }
            if random(10) < 3 { bytes = Array(bytes.prefix(28 + random(bytes.count - 28))) }
            let path = dir.appendingPathComponent("damaged-\(n).pcapng").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if Self.read(path, window: false).0 != Self.read(path, window: true).0 { differing.append(n) }
        }
        #expect(differing.isEmpty, "\(differing.count) of 300 damaged files read differently, first \(differing.prefix(5))")
    }
}
