// A reader for pcap and pcapng files that reads the file a chunk at a time
// into one buffer it reuses, and hands out frames where they lie in it: no copy
// per frame (libpcap copies each into its own buffer), and no page faults on
// the file (a mapping faults its pages in and must give them back).
//
// It takes only the plain case. Classic pcap: one of the four standard magic
// numbers, a link type the decoder walks, and records whose captured length is
// within the file's snapshot length and whose bytes are all there. pcapng: one
// section, Enhanced Packet Blocks on interfaces of one link type and snapshot
// length, time stamps in powers of ten, and blocks that are whole and within
// half a MiB; other blocks (name resolution, statistics, custom) are skipped,
// as libpcap skips them. At the first record or block that is anything else it
// stops and says so; the reader then lets libpcap continue from that frame, so
// unusual files (a cut record, an oversize capture length, a second section,
// binary time stamp resolutions, the modified-pcap formats) behave exactly as
// libpcap makes them behave.
//
//  pcapng block: | type (4) | total length (4) | body ... | total length (4) |
//  IDB 1:  | link type (2) | reserved (2) | snaplen (4) | options ... (9: if_tsresol, 14: if_tsoffset)
//  EPB 6:  | interface id (4) | ts high | ts low | caplen | len | data (padded to 4) | options ...

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

/// A pcap or pcapng file read through a window of reused memory.
final class PcapFileWindow {
    private let file: ReadableFile
    /// pcapng rather than classic pcap.
    let pcapng: Bool
    /// Timestamps in nanoseconds (magic a1b23c4d) rather than microseconds (classic pcap).
    let nanosecond: Bool
    /// Fields are in the other byte order than this machine's.
    let swapped: Bool
    let linkType: LinkType
    /// Records may not capture more than this (libpcap's effective snapshot length).
    let snapshot: Int
    /// pcapng: the section's interfaces so far, and what libpcap compares a later one with.
    private var interfaces: [PcapngInterface] = []
    private let firstLinkType: UInt32

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
    /// Does reads posted ahead on another thread; nil: the reading thread does every read.
    weak var readsAhead: (any ChunkReadTaker)?
    /// Reads posted ahead for `readsAhead` (`ChunkRead`), in file order: `aheadCount` of them
    /// from `aheadFirst`, round `ahead`. Made with the buffer when there is `readsAhead`.
    private var ahead: [ChunkRead] = []
    private var aheadFirst = 0
    private var aheadCount = 0
    /// Chunks read ahead: two (a MiB) is room for the holder's thread to finish the batch it
    /// is on before the reading thread needs them.
    static let aheadChunks = 2

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
        var link: UInt32, snap: Int
        if header.0 == 0x0A0D_0D0A {
            // pcapng: libpcap has read the section header and the first interface, and
            // chosen the link type and snapshot length; the window walks from the section's
            // first block after its header.
            switch header.2 {
            case 0x1A2B_3C4D: swapped = false
            case 0x4D3C_2B1A: swapped = true
            default: return nil
            }
            let length = Int(Self.field(header.1, swapped))
            guard length >= 28, length % 4 == 0, length < file.size else { return nil }
            (pcapng, nanosecond, fileOffset) = (true, true, length)
            link = handle.linkType.rawValue
            snap = Int(handle.snapshotLength)
        } else {
            switch header.0 {
            case 0xA1B2_C3D4: (nanosecond, swapped) = (false, false)
            case 0xD4C3_B2A1: (nanosecond, swapped) = (false, true)
            case 0xA1B2_3C4D: (nanosecond, swapped) = (true, false)
            case 0x4D3C_B2A1: (nanosecond, swapped) = (true, true)
            default:
                return nil
            }
            pcapng = false
            let fileSnapshot = Int(Self.field(header.4, swapped))
            link = Self.field(header.5, swapped) & 0x03FF_FFFF
            // LINKTYPE_RAW is written as 101 and read by libpcap as DLT_RAW.
            if link == 101 { link = LinkType.raw.rawValue }
            snap = fileSnapshot == 0 || fileSnapshot > Self.maximumSnapshot ? Self.maximumSnapshot : fileSnapshot
        }
        firstLinkType = link
        snapshot = snap
        linkType = LinkType(rawValue: link)
        guard linkType.isSupported, link != LinkType.null.rawValue, link != LinkType.loop.rawValue, snap > 0 else { return nil }
        self.file = file
        self.windowSize = windowSize
    }

    deinit {
        withdrawAhead()
        buffer?.deallocate()
    }

    @inline(__always) static func field(_ v: UInt32, _ swapped: Bool) -> UInt32 { swapped ? v.byteSwapped : v }

    /// The outcome of reading one pcapng block (`nextBlock`).
    enum Next {
        /// `subsecond`: microseconds or nanoseconds, as `nanosecond` says. `interface`: the
        /// pcapng interface id (-1 for classic pcap), with the direction its EPB records.
        case frame(
            UnsafeRawBufferPointer, seconds: Int64, subsecond: Int64, capturedLength: Int, originalLength: Int,
            interface: Int32, direction: PacketDirection)
        case endOfFile
        /// A record this reader does not take: libpcap must read from it on.
        case handOver
    }

    /// The file ended where the last `nextRecord` returned nil (else it handed over).
    private(set) var ended = false

    /// The next classic pcap record's 16-byte header, its frame right after it; nil at the
    /// end of the file (`ended`) or where libpcap must read on. Only a pointer comes back: a
    /// record returned field by field through memory was read back wider than written, a
    /// stall per frame (docs/PERFORMANCE.md); the caller reads the header where it lies.
    @inline(__always)
    func nextRecord() -> UnsafeRawPointer? {
        if cursor &+ 16 > filled {
            if cursor == filled, fileOffset == file.size { ended = true; return nil }
            guard fill(16) else { return nil }
        }
        var header = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor)
        let caplen = Int(Self.field(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self), swapped))
        guard caplen <= snapshot else { return nil }
        if cursor &+ 16 &+ caplen > filled {
            guard fill(16 + caplen) else { return nil }
            header = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor)
        }
        cursor &+= 16 &+ caplen
        return header
    }

    /// A classic pcap record header's fields, as libpcap reads them: 32-bit signed times,
    /// microseconds scaled to nanoseconds.
    @inline(__always)
    static func record(_ header: UnsafeRawPointer, swapped: Bool, nanosecond: Bool)
        -> (seconds: Int64, subsecond: Int64, capturedLength: Int, originalLength: Int) {
        let seconds = field(header.loadUnaligned(as: UInt32.self), swapped)
        let sub = Int64(Int32(bitPattern: field(header.loadUnaligned(fromByteOffset: 4, as: UInt32.self), swapped)))
        return (
            Int64(Int32(bitPattern: seconds)), nanosecond ? sub : sub * 1000,
            Int(field(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self), swapped)),
            Int(field(header.loadUnaligned(fromByteOffset: 12, as: UInt32.self), swapped)))
    }

    /// The next pcapng packet: blocks are walked until an Enhanced Packet Block, as libpcap
    /// walks them (`pcap_ng_next_packet`); anything libpcap would refuse, and the rare block
    /// kinds, hand over (and keep handing over). Bounded: each turn consumes a block of at
    /// least 12 bytes.
    func nextBlock() -> Next {
        while true {
            if cursor &+ 8 > filled {
                if cursor == filled, fileOffset == file.size { return .endOfFile }
                guard fill(8) else { return .handOver }
            }
            let type = u32(0), length = Int(u32(4))
            guard length >= 12, length % 4 == 0, length <= Self.front else { return .handOver }
            if cursor &+ length > filled {
                guard fill(length) else { return .handOver }
            }
            guard Int(u32(length - 4)) == length else { return .handOver }
            switch type {
            case 6:
                guard length >= 32 else { return .handOver }
                let id = Int(u32(8)), caplen = Int(u32(20)), len = Int(u32(24))
                guard id < interfaces.count, caplen <= snapshot, caplen <= length - 32 else { return .handOver }
                let interface = interfaces[id]
                let t = UInt64(u32(12)) << 32 | UInt64(u32(16))
                let block = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor)
                let direction = PcapngInterfaces.direction(block, length: length, swapped: swapped)
                cursor &+= length
                return .frame(
                    UnsafeRawBufferPointer(start: block + 28, count: caplen), seconds: interface.seconds(t),
                    subsecond: interface.nanoseconds(t), capturedLength: caplen, originalLength: len, interface: Int32(id),
                    direction: direction)
            case 1:
                guard let interface = interfaceBlock(length: length) else { return .handOver }
                interfaces.append(interface)
            case 2, 3, PcapngInterfaces.sectionHeader:
                return .handOver
            default:
                break
            }
            cursor &+= length
        }
    }

    /// Field `at` of the block at the cursor, in the section's byte order.
    @inline(__always)
    private func u32(_ at: Int) -> UInt32 {
        Self.field(UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor).loadUnaligned(fromByteOffset: at, as: UInt32.self), swapped)
    }

    /// The interface an IDB at the cursor describes, as libpcap reads it (`add_interface`); nil
    /// where libpcap fails (another link type or snapshot length than the first interface's,
    /// a malformed option) or resolves time in powers of two, which the window leaves to it.
    private func interfaceBlock(length: Int) -> PcapngInterface? {
        guard length >= 20 else { return nil }
        let link = UInt32(PcapngInterfaces.halves(u32(8), swapped: swapped).first)
        let snaplen = Int(u32(12))
        // The first interface is the one libpcap opened the file with; later ones must match it.
        if !interfaces.isEmpty {
            let adjusted = snaplen == 0 || snaplen > Self.maximumSnapshot ? Self.maximumSnapshot : snaplen
            guard link == firstLinkType, adjusted == snapshot else { return nil }
        }
        var interface = PcapngInterface()
        var (o, sawResolution, sawOffset) = (16, false, false)
        let end = length - 4
        while o < end {
            guard o + 4 <= end else { return nil }
            let (code, size) = PcapngInterfaces.option(u32(o), swapped: swapped)
            let value = o + 4
            o = value + (size + 3) & ~3
            guard o <= end else { return nil }
            switch code {
            case 0:
                guard size == 0 else { return nil }
                o = end
            case 9:
                let r = (buffer.unsafelyUnwrapped + cursor).load(fromByteOffset: value, as: UInt8.self)
                guard size == 1, !sawResolution, r & 0x80 == 0, r <= 19 else { return nil }
                sawResolution = true
                interface.resolution = 1
                for _ in 0..<r { interface.resolution &*= 10 }
            case 14:
                guard size == 8, !sawOffset else { return nil }
                sawOffset = true
                let v = UnsafeRawPointer(buffer.unsafelyUnwrapped + cursor).loadUnaligned(fromByteOffset: value, as: UInt64.self)
                interface.offset = swapped ? v.byteSwapped : v
            default:
                break
            }
        }
        return interface
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
            let n: Int
            if aheadCount > 0, ahead[aheadFirst].destination == filled, ahead[aheadFirst].offset == fileOffset,
                ahead[aheadFirst].count == want {
                n = ahead[aheadFirst].complete()
                (aheadFirst, aheadCount) = ((aheadFirst + 1) % ahead.count, aheadCount - 1)
            } else {
                withdrawAhead()
                release(filled..<filled + want)
                n = file.read(into: base + filled, count: want, at: fileOffset)
            }
            guard n > 0 else { withdrawAhead(); return false }
            filled += n
            fileOffset += n
            if n == want { postAhead() } else { withdrawAhead() }
        }
        return true
    }

    /// Posts reads for `readsAhead` until `aheadChunks` are posted: each into the place
    /// `fill` will want it (the front after a wrap), once no held frame is there.
    private func postAhead() {
        guard !ahead.isEmpty, let readsAhead else { return }
        while aheadCount < ahead.count {
            var at = filled, offset = fileOffset
            if aheadCount > 0 {
                let last = ahead[(aheadFirst + aheadCount - 1) % ahead.count]
                (at, offset) = (last.destination + last.count, last.offset + last.count)
            }
            let want = min(Self.chunk, file.size - offset)
            guard want > 0 else { return }
            if at + want > capacity { at = Self.front }
            release(at..<at + want)
            let read = ahead[(aheadFirst + aheadCount) % ahead.count]
            read.post(into: buffer.unsafelyUnwrapped, at: at, count: want, offset: offset)
            aheadCount += 1
            guard readsAhead.readAhead(read) else { return }
        }
    }

    /// Takes back every read posted, or waits for it: after this no other thread writes
    /// to the buffer.
    private func withdrawAhead() {
        for i in 0..<aheadCount { ahead[(aheadFirst + i) % ahead.count].withdraw() }
        (aheadFirst, aheadCount) = (0, 0)
    }

    /// The window, made at the first record, when the holder is known. A small file fits
    /// whole. A large one wraps, in whole chunks: room for the front chunks twice and a chunk
    /// more (so that the record moved to the front never overlaps itself), and with a holder,
    /// room for the frames it keeps too, or with reads ahead, for the chunks read ahead.
    private func makeBuffer() {
        let least = 2 * (Self.front + Self.chunk)
        capacity = min(file.size, holder == nil && readsAhead == nil ? least : max(least, windowSize))
        buffer = .allocate(byteCount: capacity, alignment: 4096)
        stamps = Array(repeating: -1, count: (capacity + Self.chunk - 1) / Self.chunk)
        // Reads ahead land after the unread bytes, or from the front after a wrap, where a
        // record begun (a chunk at most) must still fit behind them.
        if readsAhead != nil, capacity == file.size || capacity >= 2 * Self.front + (Self.aheadChunks + 2) * Self.chunk {
            ahead = (0..<Self.aheadChunks).map { _ in ChunkRead(file) }
        }
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

/// How a pcapng interface's time stamps read (libpcap's `pcap_ng_if`, for power-of-ten
/// resolutions): units of 1 / `resolution` s since the epoch, `offset` seconds added.
struct PcapngInterface {
    var resolution: UInt64 = 1_000_000
    var offset: UInt64 = 0

    /// Seconds, as libpcap makes them (wrapping as its unsigned arithmetic does).
    @inline(__always)
    func seconds(_ t: UInt64) -> Int64 { Int64(bitPattern: t / resolution &+ offset) }

    /// Nanoseconds within the second: the fraction scaled up or down to 10⁻⁹ s.
    @inline(__always)
    func nanoseconds(_ t: UInt64) -> Int64 {
        let fraction = t % resolution
        if resolution == 1_000_000_000 { return Int64(fraction) }
        return Int64(resolution < 1_000_000_000 ? fraction * (1_000_000_000 / resolution) : fraction / (resolution / 1_000_000_000))
    }
}
