// A reader for classic pcap files that reads the file a chunk at a time into one
// buffer it reuses, and hands out frames where they lie in it: no copy per
// frame (libpcap copies each into its own buffer), and no page faults on the
// file (a mapping faults its pages in and must give them back).
//
// It takes only the plain case: one of the four standard magic numbers, a
// link type the decoder walks, and records whose captured length is within
// the file's snapshot length and whose bytes are all there. At the first
// record that is anything else it stops and says so; the reader then lets
// libpcap continue from that record, so unusual files (a cut record, an
// oversize capture length, pcapng, the modified-pcap formats) behave exactly
// as libpcap makes them behave.

import CrosswireDecoder

/// Whoever keeps frames a reader handed out after its next call (a second thread's batches).
/// The window overwrites a frame's bytes only once its holder let go of them.
public protocol FrameHolder: AnyObject {
    /// A mark for the frames handed out so far: they are let go once `release(through:)`
    /// of it returns.
    var stamp: Int { get }
    /// Returns once every frame handed out before `stamp` was taken is let go (blocking
    /// the reading thread until then).
    func release(through stamp: Int)
}

/// A classic pcap file read through a window of reused memory.
final class PcapFileWindow {
    private let file: ReadableFile
    /// Timestamps in nanoseconds (magic a1b23c4d) rather than microseconds.
    let nanosecond: Bool
    /// Fields are in the other byte order than this machine's.
    let swapped: Bool
    let linkType: LinkType
    /// Records may not capture more than this (libpcap's effective snapshot length).
    let snapshot: Int

    /// The window: `capacity` bytes, made at the first record. Bytes `cursor..<filled` are
    /// the file's from `fileOffset - (filled - cursor)`, not yet handed out.
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0
    private var cursor = 0
    private var filled = 0
    private var fileOffset = 24
    /// Per chunk of the window: the holder's stamp when its last frame was handed out
    /// (-1: nothing there is held). Stamped up to `stamped`.
    private var stamps: [Int] = []
    private var stamped = 0
    /// Keeps frames after the next call; nil: a frame is let go at the next call.
    weak var holder: (any FrameHolder)?

    /// Bytes read at a time.
    static let chunk = 1 << 19
    /// The window's size for large files with a holder (`CaptureFileReader.windowSize`).
    private let windowSize: Int
    /// The whole chunks a record begun at a wrap moves to: room for the largest record.
    static var front: Int { (16 + maximumSnapshot + chunk - 1) / chunk * chunk }
    /// libpcap's limit for the link types the decoder walks (`max_snaplen_for_dlt`).
    static let maximumSnapshot = 262_144
    /// Files smaller than this are left to libpcap.
    static let minimumSize = 64 * 1024

    /// Reads the file `handle` opened, when it is a classic pcap file this reader takes (and
    /// at least `minimumSize` bytes long); nil otherwise (libpcap reads it). Reads at offsets
    /// leave libpcap's position alone, and the same descriptor is the same file.
    init?(_ handle: PcapHandle, minimumSize: Int = PcapFileWindow.minimumSize, windowSize: Int) {
        guard let file = ReadableFile(stream: handle.savefile, owner: handle, minimumSize: max(24, minimumSize)) else {
            return nil
        }
        var header = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        guard withUnsafeMutableBytes(of: &header, { file.read(into: $0.baseAddress!, count: 24, at: 0) }) == 24 else { return nil }
        switch header.0 {
        case 0xA1B2_C3D4: (nanosecond, swapped) = (false, false)
        case 0xD4C3_B2A1: (nanosecond, swapped) = (false, true)
        case 0xA1B2_3C4D: (nanosecond, swapped) = (true, false)
        case 0x4D3C_B2A1: (nanosecond, swapped) = (true, true)
        default:
            return nil
        }
        let fileSnapshot = Int(Self.field(header.4, swapped))
        var link = Self.field(header.5, swapped) & 0x03FF_FFFF
        // LINKTYPE_RAW is written as 101 and read by libpcap as DLT_RAW.
        if link == 101 { link = LinkType.raw.rawValue }
        linkType = LinkType(rawValue: link)
        guard linkType.isSupported, link != LinkType.null.rawValue, link != LinkType.loop.rawValue else { return nil }
        snapshot = fileSnapshot == 0 || fileSnapshot > Self.maximumSnapshot ? Self.maximumSnapshot : fileSnapshot
        self.file = file
        self.windowSize = windowSize
    }

    deinit { buffer?.deallocate() }

    @inline(__always) static func field(_ v: UInt32, _ swapped: Bool) -> UInt32 { swapped ? v.byteSwapped : v }

    /// The outcome of reading one record.
    enum Next {
        case frame(UnsafeRawBufferPointer, seconds: Int64, subsecond: Int64, capturedLength: Int, originalLength: Int)
        case endOfFile
        /// A record this reader does not take: libpcap must read from it on.
        case handOver
    }

    /// The next record. After `.handOver`, it keeps answering `.handOver`.
    func next() -> Next {
        if cursor &+ 16 > filled {
            if cursor == filled, fileOffset == file.size { return .endOfFile }
            guard fill(16) else { return .handOver }
        }
        var header = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor)
        let caplen = Int(Self.field(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self), swapped))
        guard caplen <= snapshot else { return .handOver }
        if cursor &+ 16 &+ caplen > filled {
            guard fill(16 + caplen) else { return .handOver }
            header = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor)
        }
        let seconds = Self.field(header.loadUnaligned(as: UInt32.self), swapped)
        let subsecond = Self.field(header.loadUnaligned(fromByteOffset: 4, as: UInt32.self), swapped)
        let len = Int(Self.field(header.loadUnaligned(fromByteOffset: 12, as: UInt32.self), swapped))
        cursor &+= 16 &+ caplen
        // As libpcap reads them: 32-bit signed fields, microseconds scaled to nanoseconds.
        let sub = Int64(Int32(bitPattern: subsecond))
        return .frame(
            UnsafeRawBufferPointer(start: header + 16, count: caplen), seconds: Int64(Int32(bitPattern: seconds)),
            subsecond: nanosecond ? sub : sub * 1000, capturedLength: caplen, originalLength: len)
    }

    /// Reads on until `count` bytes lie at `cursor`; false when the file ends first or a read fails.
    @inline(never)
    private func fill(_ count: Int) -> Bool {
        if buffer == nil { makeBuffer() }
        let base = buffer.unsafelyUnwrapped
        while cursor + count > filled {
            let want = min(Self.chunk, file.size - fileOffset)
            guard want > 0 else { return false }
            stamp(through: cursor)
            if filled + want > capacity {
                // Wrap: the record begun moves to the end of the front chunks, so that reads
                // stay whole chunks and a read never lands in the chunk being handed out.
                let begun = filled - cursor, front = Self.front
                release(0..<front)
                (base + front - begun).copyMemory(from: base + cursor, byteCount: begun)
                (cursor, filled, stamped) = (front - begun, front, front - begun)
            }
            release(filled..<filled + want)
            let n = file.read(into: base + filled, count: want, at: fileOffset)
            guard n > 0 else { return false }
            filled += n
            fileOffset += n
        }
        return true
    }

    /// The window, made at the first record, when the holder is known. A small file fits
    /// whole. A large one wraps, in whole chunks: room for the front chunks twice and a chunk
    /// more (so that the record moved to the front never overlaps itself), and with a holder,
    /// room for the frames it keeps too.
    private func makeBuffer() {
        let least = 2 * (Self.front + Self.chunk)
        capacity = min(file.size, holder == nil ? least : max(least, windowSize))
        buffer = .allocate(byteCount: capacity, alignment: 4096)
        stamps = Array(repeating: -1, count: (capacity + Self.chunk - 1) / Self.chunk)
    }

    /// Marks the chunks of frames handed out before `end` with the holder's stamp.
    private func stamp(through end: Int) {
        guard let holder, end > stamped else { return }
        let s = holder.stamp
        for c in stamped / Self.chunk...(end - 1) / Self.chunk { stamps[c] = s }
        stamped = end
    }

    /// Waits until no frame in the chunks over `range` is held.
    private func release(_ range: Range<Int>) {
        for c in range.lowerBound / Self.chunk...(range.upperBound - 1) / Self.chunk where stamps[c] >= 0 {
            holder?.release(through: stamps[c])
            stamps[c] = -1
        }
    }
}
