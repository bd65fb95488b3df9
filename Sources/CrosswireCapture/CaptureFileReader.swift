// Reading pcap and pcapng files through libpcap.

import CrosswireDecoder

/// Reads a pcap or pcapng file frame by frame through libpcap
/// (`pcap_open_offline_with_tstamp_precision`, nanosecond timestamps kept).
/// The file is streamed: only the current frame is in memory (a window of a few MiB
/// at most; see below).
///
/// pcap and pcapng files of 64 KiB or more are read a chunk at a time into a window
/// of reused memory (`PcapFileWindow`), and frames are handed out where they lie
/// in it, which saves libpcap's copy of every frame; at the first record the
/// window does not take, libpcap reads on from that record, so the results are
/// libpcap's in every case (a test compares both paths over every capture).
public struct CaptureFileReader: ~Copyable {
    private let handle: PcapHandle
    private let windowed: PcapFileWindow?
    /// `windowed`, for the read loop: used through this, the window is not retained and
    /// released (two atomic operations) on every frame. `windowed` keeps it alive.
    private let windowPerFrame: Unmanaged<PcapFileWindow>?
    /// The window's format, kept here for the read loop: read from the window, it was a call.
    private let windowFormat: (pcapng: Bool, swapped: Bool, nanosecond: Bool)
    /// True while frames come from the window: from the start when there is one, until a
    /// record hands over to libpcap.
    @usableFromInline private(set) var readingWindow: Bool
    /// A pcapng file's packet interfaces, for frames libpcap reads (nil for classic pcap, and
    /// while a window reads: it finds them itself).
    private var interfaces: PcapngInterfaces?
    /// The path as given.
    public let path: String
    /// The capture's link type.
    public let linkType: LinkType
    /// libpcap's name for it (`EN10MB`, `LINUX_SLL2` …).
    public let linkTypeName: String
    /// Frames delivered so far.
    public private(set) var framesRead: Int = 0
    /// Frames whose timestamp had a sub-second part outside 0..<1 s (normalised when read).
    public private(set) var invalidTimestamps: Int = 0

    /// Opens `path`. Throws `.unreadable` for a missing, empty or corrupt file
    /// and `.unsupportedLinkType` for a link type the decoder does not walk
    /// (unless `allowUnsupported`).
    /// `window`: read classic pcap files of at least `windowMinimumSize` bytes through a
    /// window (`windowSize` bytes with a holder; tests make it small).
    public init(
        path: String, allowUnsupported: Bool = false, window: Bool = true,
        windowMinimumSize: Int = 64 * 1024, windowSize: Int = CaptureFileReader.windowSize
    ) throws(CaptureError) {
        let handle = try PcapHandle.openOffline(path: path)
        if !allowUnsupported, !handle.linkType.isSupported {
            throw CaptureError(
                .unsupportedLinkType(handle.linkType.rawValue), source: path,
                message: "unsupported link type \(handle.linkTypeName) (\(handle.linkType.rawValue))")
        }
        self.handle = handle
        self.path = path
        linkType = handle.linkType
        linkTypeName = handle.linkTypeName
        let opened = window ? PcapFileWindow(handle, minimumSize: windowMinimumSize, windowSize: windowSize) : nil
        windowed = opened?.linkType == handle.linkType ? opened : nil
        windowPerFrame = windowed.map(Unmanaged.passUnretained)
        windowFormat = windowed.map { ($0.pcapng, $0.swapped, $0.nanosecond) } ?? (false, false, false)
        readingWindow = windowed != nil
        interfaces = windowed == nil ? PcapngInterfaces(path: path) : nil
    }

    /// The window's size for a large file whose frames a holder keeps: enough chunks that
    /// the holder is rarely waited for (8 MiB; 4 to 32 MiB were about as fast).
    public static let windowSize = 8 << 20

    /// True when frames carry an interface id (pcapng, read from a file): one capture may hold
    /// several interfaces, each a capture point.
    public var numbersInterfaces: Bool { windowed?.pcapng ?? (interfaces != nil) }

    /// True when frames are read through a window (until a record hands over to libpcap).
    public var readsThroughWindow: Bool { windowed != nil }

    /// True when the frame `next` returned last lies in the window, where its bytes stay
    /// until the `holder` lets go of them (while `window` lives), not only until the next call.
    /// Inlined: called, it took a copy of the reader every frame.
    @inlinable public var lastFrameIsInWindow: Bool { readingWindow }

    /// What keeps the window's frames' bytes (nil: frames are not read through a window).
    public var window: AnyObject? { windowed }

    /// Who keeps frames after the next call (a second thread's batches): the window
    /// overwrites them only once it let go (nil: at the next call).
    public var holder: (any FrameHolder)? {
        get { windowed?.holder }
        nonmutating set { windowed?.holder = newValue }
    }

    /// A thread that reads the file ahead while frames are handed out (nil: the calling
    /// thread does every read). Set before the first frame.
    public var readsAhead: (any ChunkReadTaker)? {
        get { windowed?.readsAhead }
        nonmutating set { windowed?.readsAhead = newValue }
    }

    /// Counts and normalises one frame's timestamp (`nanoseconds` within the second, possibly
    /// out of range) into `info`, field by field. `interface`, `direction`: a pcapng frame's,
    /// as a window found them (else `interfaces` tells them).
    @inline(__always)
    private mutating func fill(
        _ info: inout FrameInfo, seconds: Int64, nanoseconds: Int64, capturedLength: Int, originalLength: Int,
        interface: Int32 = -1, direction: PacketDirection = .unknown
    ) {
        framesRead += 1
        info.number = framesRead
        info.capturedLength = capturedLength
        info.originalLength = originalLength
        info.interfaceID = interface
        info.direction = direction
        if let interfaces, let packet = interfaces.nextPacket() {
            info.interfaceID = Int32(truncatingIfNeeded: packet.interface)
            info.direction = packet.direction
        }
        // A sub-second field outside 0..<1 s is invalid: carry it into the seconds and count it.
        // (Negative: libpcap read a field of 2^31 or more as a signed 32-bit value.)
        if nanoseconds < 0 || nanoseconds >= 1_000_000_000 { invalidTimestamps += 1 }
        var carry = nanoseconds / 1_000_000_000, rest = nanoseconds % 1_000_000_000
        if rest < 0 { carry -= 1; rest += 1_000_000_000 }
        info.seconds = seconds &+ carry
        info.nanoseconds = UInt32(rest)
    }

    /// The next frame, or nil at the end of the file. The bytes stay valid until the next
    /// call. When the file ends in the middle of a record, `.truncated` is thrown naming
    /// the frame that could not be read.
    public mutating func next() throws(CaptureError) -> (info: FrameInfo, bytes: UnsafeRawBufferPointer)? {
        var info = FrameInfo()
        guard let bytes = try next(into: &info) else { return nil }
        return (info, bytes)
    }

    /// The next frame's bytes, its `info` written where the caller keeps it, or nil at the end
    /// of the file; as `next()`. The read loops' form: the frame comes back in registers and
    /// `info` field by field, so nothing written a moment ago is read back whole.
    public mutating func next(into info: inout FrameInfo) throws(CaptureError) -> UnsafeRawBufferPointer? {
        if readingWindow, let windowed = windowPerFrame {
            if !windowFormat.pcapng {
                if let header = windowed._withUnsafeGuaranteedRef({ $0.nextRecord() }) {
                    let r = PcapFileWindow.record(header, swapped: windowFormat.swapped, nanosecond: windowFormat.nanosecond)
                    fill(&info, seconds: r.seconds, nanoseconds: r.subsecond, capturedLength: r.capturedLength, originalLength: r.originalLength)
                    return UnsafeRawBufferPointer(start: header + 16, count: r.capturedLength)
                }
                if windowed._withUnsafeGuaranteedRef({ $0.ended }) { return nil }
                handOver()
            } else {
                switch windowed._withUnsafeGuaranteedRef({ $0.nextBlock() }) {
                case .frame(let bytes, let seconds, let nanoseconds, let caplen, let len, let interface, let direction):
                    fill(
                        &info, seconds: seconds, nanoseconds: nanoseconds, capturedLength: caplen, originalLength: len,
                        interface: interface, direction: direction)
                    return bytes
                case .endOfFile:
                    return nil
                case .handOver:
                    handOver()
                }
            }
        }
        while true {
            switch handle.next() {
            case .frame(let bytes, let seconds, let subsecond, let caplen, let len):
                let nanos = handle.nanosecondPrecision ? subsecond : subsecond &* 1000
                fill(&info, seconds: seconds, nanoseconds: nanos, capturedLength: caplen, originalLength: len)
                return bytes
            case .timeout:
                continue
            case .endOfFile:
                return nil
            case .error(let message):
                throw CaptureError(.truncated, source: path, frame: framesRead + 1, message: message)
            }
        }
    }

    /// libpcap reads on from the record the window would not take: skip what the window delivered.
    @inline(never)
    private mutating func handOver() {
        readingWindow = false
        for _ in 0..<framesRead {
            guard case .frame = handle.next() else { break }
        }
        if windowFormat.pcapng, let walker = PcapngInterfaces(path: path) {
            for _ in 0..<framesRead { _ = walker.nextPacket() }
            interfaces = walker
        }
    }

    /// Calls `visit` with every frame in order until the file ends or `visit`
    /// returns false. The bytes are only valid during the call. When the file
    /// ends in the middle of a record, every complete frame has been visited
    /// and `.truncated` is thrown naming the frame that could not be read.
    public mutating func forEachFrame(_ visit: (FrameInfo, borrowing RawSpan) -> Bool) throws(CaptureError) {
        var info = FrameInfo()
        while let bytes = try next(into: &info) {
            if !visit(info, bytes.bytes) { return }
        }
    }
}

/// Writes frames to a classic pcap file through libpcap (`pcap_dump`), with
/// nanosecond timestamps. Frames are flushed on `flush()` and when it goes away.
public struct CaptureFileWriter: ~Copyable {
    private let dumper: PcapDumper
    public let path: String
    public let linkType: LinkType

    /// Creates (or replaces) `path` for frames of `linkType`.
    public init(path: String, linkType: LinkType, snapLength: Int32 = 262_144) throws(CaptureError) {
        guard let dead = PcapHandle.openDead(linkType: linkType, snapLength: snapLength) else {
            throw CaptureError(.write, source: path, message: "libpcap cannot write link type \(linkType.rawValue)")
        }
        dumper = try PcapDumper(handle: dead, path: path)
        self.path = path
        self.linkType = linkType
    }

    /// Appends one frame with its original timestamp and length.
    public func write(_ bytes: UnsafeRawBufferPointer, info: FrameInfo) {
        dumper.write(bytes, seconds: info.seconds, subsecond: info.nanoseconds, originalLength: info.originalLength)
    }

    /// Pushes written frames to the file.
    public func flush() { dumper.flush() }
}
