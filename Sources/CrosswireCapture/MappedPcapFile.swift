// A memory-mapped reader for classic pcap files: the frames are read where
// the page cache holds them, without libpcap's copy into its buffer.
//
// It takes only the plain case: one of the four standard magic numbers, a
// link type the decoder walks, and records whose captured length is within
// the file's snapshot length and whose bytes are all there. At the first
// record that is anything else it stops and says so; the reader then lets
// libpcap continue from that record, so unusual files (a cut record, an
// oversize capture length, pcapng, the modified-pcap formats) behave exactly
// as libpcap makes them behave.

import CrosswireDecoder

/// A classic pcap file mapped into memory.
final class MappedPcapFile {
    private let mapping: FileMapping
    private let base: UnsafeRawPointer
    private let size: Int
    /// Timestamps in nanoseconds (magic a1b23c4d) rather than microseconds.
    let nanosecond: Bool
    /// Fields are in the other byte order than this machine's.
    let swapped: Bool
    let linkType: LinkType
    /// Records may not capture more than this (libpcap's effective snapshot length).
    let snapshot: Int
    /// Offset of the next record.
    private var offset = 24
    /// Bytes before this offset were handed back to the kernel (`MADV_DONTNEED`),
    /// so that the resident size stays flat however large the file is.
    private var released = 0
    static let releaseChunk = 8 << 20
    /// Bytes behind the next record kept mapped: frames still in use elsewhere (a second
    /// thread's batches) would be read back in, and stay resident, if released.
    var keptBehind = 4096

    /// libpcap's limit for the link types the decoder walks (`max_snaplen_for_dlt`).
    static let maximumSnapshot = 262_144
    /// Files smaller than this are not worth a mapping.
    static let minimumSize = 64 * 1024

    /// Maps `path` when it is a classic pcap file this reader takes (and at least
    /// `minimumSize` bytes long); nil otherwise (libpcap reads it).
    init?(path: String, minimumSize: Int = MappedPcapFile.minimumSize) {
        guard let mapping = FileMapping(path: path, minimumSize: max(24, minimumSize)) else { return nil }
        mapping.adviseSequential()
        let base = mapping.base
        let magic = base.loadUnaligned(as: UInt32.self)
        switch magic {
        case 0xA1B2_C3D4: (nanosecond, swapped) = (false, false)
        case 0xD4C3_B2A1: (nanosecond, swapped) = (false, true)
        case 0xA1B2_3C4D: (nanosecond, swapped) = (true, false)
        case 0x4D3C_B2A1: (nanosecond, swapped) = (true, true)
        default:
            return nil
        }
        let fileSnapshot = Int(Self.field(base.loadUnaligned(fromByteOffset: 16, as: UInt32.self), swapped))
        var link = Self.field(base.loadUnaligned(fromByteOffset: 20, as: UInt32.self), swapped) & 0x03FF_FFFF
        // LINKTYPE_RAW is written as 101 and read by libpcap as DLT_RAW.
        if link == 101 { link = LinkType.raw.rawValue }
        linkType = LinkType(rawValue: link)
        guard linkType.isSupported, link != LinkType.null.rawValue, link != LinkType.loop.rawValue else { return nil }
        snapshot = fileSnapshot == 0 || fileSnapshot > Self.maximumSnapshot ? Self.maximumSnapshot : fileSnapshot
        self.mapping = mapping
        self.base = base
        size = mapping.size
    }

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
        if offset == size { return .endOfFile }
        guard offset + 16 <= size else { return .handOver }
        // In bounds: offset + 16 ≤ size, checked above.
        let header = base + offset
        let seconds = Self.field(header.loadUnaligned(as: UInt32.self), swapped)
        let subsecond = Self.field(header.loadUnaligned(fromByteOffset: 4, as: UInt32.self), swapped)
        let caplen = Int(Self.field(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self), swapped))
        let len = Int(Self.field(header.loadUnaligned(fromByteOffset: 12, as: UInt32.self), swapped))
        guard caplen <= snapshot, offset + 16 + caplen <= size else { return .handOver }
        let data = UnsafeRawBufferPointer(start: header + 16, count: caplen)
        // The frames more than `keptBehind` before this one are no longer in use: release
        // whole chunks behind them.
        if offset - released >= Self.releaseChunk + keptBehind {
            let page = POSIX.pageSize
            let end = (offset - keptBehind) / page * page
            if end > released {
                mapping.release(released..<end)
                released = end
            }
        }
        offset += 16 + caplen
        // As libpcap reads them: 32-bit signed fields, microseconds scaled to nanoseconds.
        let sub = Int64(Int32(bitPattern: subsecond))
        return .frame(
            data, seconds: Int64(Int32(bitPattern: seconds)), subsecond: nanosecond ? sub : sub * 1000,
            capturedLength: caplen, originalLength: len)
    }
}
