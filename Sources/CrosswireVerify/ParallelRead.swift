// Reading on two cores without reading or decoding twice. The calling thread
// reads the captures (interleaved by time), decodes every frame straight into
// the batch being filled, keeps the capture summaries and the flow table, and
// credits the frames no analyser needs (FlowTable.swift). The frames new to an
// analyser stay in the batch, their bytes after their decoded packet, and the
// batch goes to a second thread, which runs every analyser on the packets where
// they lie: nothing decoded is copied. A batch changes hands whole, so the
// threads meet once per few hundred frames; the batches are reused, so nothing
// is allocated per frame.
// The analysers see exactly the frames, in exactly the order, they would see on
// one thread: the verdict is the same by construction.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import Dispatch

/// A capture file to read and the name it gets in the verdict.
public struct CaptureSource: Sendable {
    public var path: String
    public var name: String?
    public init(path: String, name: String? = nil) { self.path = path; self.name = name }

    /// True when the capture can be read twice: a regular file. Standard input
    /// (`-`), a pipe or a device gives its packets once, to one reader.
    public var isRegularFile: Bool {
        guard path != "-" else { return false }
        return POSIX.isRegularFile(path)
    }
}

extension VerificationSession {
    /// Reads `sources` interleaved by time, like `read(path:name:progress:)` for each, with
    /// `threads` threads: 1 does everything on the calling thread; 2 (or more) runs the
    /// analysers on a second one. The session must be fresh (no frame fed yet).
    /// `progress` is called on the calling thread.
    public mutating func read(
        _ sources: [CaptureSource], threads: Int, progress: ((String, Int, Int) -> Void)? = nil
    ) throws(CaptureError) {
        guard threads > 1, captures.isEmpty else {
            try readInterleaved(sources, progress: progress)
            return
        }
        let worker = AnalysisWorker(analysers: Analysers(topology: topology), batchFrames: batchFrames)
        self.worker = worker
        DispatchQueue.global(qos: .userInitiated).async { worker.run() }
        var failure: CaptureError?
        do {
            try readInterleaved(sources, progress: progress)
        } catch {
            failure = error
        }
        analysers = worker.finish()
        self.worker = nil
        if let failure { throw failure }
    }
}

/// Frames on their way to the analysers' thread, with their bytes and decoded packets, and flows to credit.
final class FrameBatch {
    struct Record {
        var frame: FrameContext
        /// The analysers it goes to (FrameVisitor).
        var analysers: UInt64
        /// Where its decoded packet lies in `bytes`.
        var packet: Int
        /// Where the frame's `count` bytes are in `bytes` (right after the packet's used bytes);
        /// below 0, in `oversized`.
        var offset: Int
        var count: Int
    }
    // Unchecked: one thread at a time has a batch, handed over by the semaphores, and a
    // dynamic exclusivity check on every append cost about 220 instructions a frame.
    @exclusivity(unchecked) var records: [Record] = []
    /// `maxBytes` bytes, `used` of them written.
    let bytes: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) var used = 0
    /// The bytes of frames too large for `bytes` (a pcapng block may hold up to 16 MiB),
    /// in `records` at offset -1 - index. Rare, so allocated.
    @exclusivity(unchecked) var oversized: [UnsafeMutableRawBufferPointer] = []
    /// Evicted flows' pending counts (FlowTable.insert).
    @exclusivity(unchecked) var credits: [(FlowSummary, FlowCounts)] = []
    /// The last batch of the read.
    @exclusivity(unchecked) var isLast = false
    let maxRecords: Int
    static let maxBytes = 1 << 20

    init(maxRecords: Int) {
        self.maxRecords = maxRecords
        records.reserveCapacity(maxRecords)
        bytes = .allocate(byteCount: Self.maxBytes, alignment: 16)
        // An eviction comes with a new flow's first frame, which is new to an analyser: one a record at most.
        credits.reserveCapacity(maxRecords)
    }

    deinit {
        bytes.deallocate()
        for o in oversized { o.deallocate() }
    }

    /// Where the next packet goes: `used`, rounded up to a packet's alignment.
    var nextPacket: Int { (used + Self.packetAlignment - 1) & ~(Self.packetAlignment - 1) }
    static let packetAlignment = max(16, MemoryLayout<DecodedPacket>.alignment)

    /// True when a record with `count` bytes may not fit: the decoder writes a whole packet,
    /// however few of its bytes the batch keeps.
    func isFull(adding count: Int) -> Bool {
        records.count >= maxRecords || credits.count >= maxRecords
            || nextPacket + MemoryLayout<DecodedPacket>.size + count > Self.maxBytes
    }

    /// Where the bytes of `r`'s frame are.
    func frameBytes(_ r: Record) -> UnsafeRawPointer {
        UnsafeRawPointer(r.offset >= 0 ? bytes.baseAddress! + r.offset : oversized[-1 - r.offset].baseAddress!)
    }
    /// `r`'s decoded packet, where it lies.
    func packet(_ r: Record) -> PacketView {
        PacketView(UnsafePointer((bytes.baseAddress! + r.packet).assumingMemoryBound(to: DecodedPacket.self)))
    }

    func reset() {
        records.removeAll(keepingCapacity: true)
        used = 0
        for o in oversized { o.deallocate() }
        oversized.removeAll(keepingCapacity: true)
        credits.removeAll(keepingCapacity: true)
        isLast = false
    }
}

/// The second thread of a two-thread read: it owns the analysers while the read runs.
/// The batches go round a ring of `ring.count`; a semaphore each way says how many are
/// full and how many free, and orders every write to a batch before its reading.
final class AnalysisWorker: @unchecked Sendable {
    /// Taken by the worker thread while it runs (a copy would share, then copy, its tables).
    private var analysers: Analysers?
    private let ring: [FrameBatch]
    private let full = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)
    /// The batch being filled (calling thread), and the next one to read (worker thread):
    /// each used by one thread only, so unchecked (as `FrameBatch`'s).
    @exclusivity(unchecked) private var filling = 0
    @exclusivity(unchecked) private var reading = 0
    @exclusivity(unchecked) private var current: FrameBatch?

    init(analysers: Analysers, batchFrames: Int = 512, batches: Int = 4) {
        self.analysers = analysers
        ring = (0..<batches).map { _ in FrameBatch(maxRecords: batchFrames) }
        free = DispatchSemaphore(value: batches)
    }

    // MARK: the calling thread

    private func batch(room count: Int) -> FrameBatch {
        if let current, !current.isFull(adding: count) { return current }
        if current != nil { submit() }
        free.wait()
        let next = ring[filling % ring.count]
        filling += 1
        current = next
        return next
    }

    private func submit() {
        current = nil
        full.signal()
    }

    /// Decodes a frame into the batch being filled, where `send` keeps it if an analyser
    /// needs it and the next frame's decode overwrites it if none does.
    func decode(_ bytes: borrowing RawSpan, by decoder: PacketDecoder, linkType: LinkType, originalLength: Int) -> PacketView {
        let count = bytes.byteCount
        // Room for the packet and the frame's bytes, or for the packet alone when the
        // frame goes in `oversized`. A batch with room for a record has room for its credit.
        let b = batch(room: Self.fits(count) ? count : 0)
        let slot = (b.bytes.baseAddress! + b.nextPacket).bindMemory(to: DecodedPacket.self, capacity: 1)
        decoder.decode(bytes, linkType: linkType, originalLength: originalLength, into: slot)
        return PacketView(slot)
    }

    static func fits(_ count: Int) -> Bool {
        FrameBatch.packetAlignment + MemoryLayout<DecodedPacket>.size + count <= FrameBatch.maxBytes
    }

    /// Keeps the frame just decoded (`decode`) for `analysers`, with its bytes.
    func send(_ frame: FrameContext, to analysers: UInt64, packet: PacketView, bytes: borrowing RawSpan) {
        let b = current!, at = b.nextPacket
        precondition(UnsafeRawPointer(packet.packet) == UnsafeRawPointer(b.bytes.baseAddress! + at), "a frame not decoded in its batch")
        let count = bytes.byteCount, packetBytes = packet.usedByteCount
        let place: UnsafeMutableRawPointer, offset: Int
        if Self.fits(count) {
            precondition(at + packetBytes + count <= FrameBatch.maxBytes, "a frame past its batch's bytes")
            (place, offset) = (b.bytes.baseAddress! + at + packetBytes, at + packetBytes)
            b.used = at + packetBytes + count
        } else {
            let own = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            b.oversized.append(own)
            (place, offset) = (own.baseAddress!, -b.oversized.count)
            b.used = at + packetBytes
        }
        bytes.withUnsafeBytes { if let from = $0.baseAddress { place.copyMemory(from: from, byteCount: count) } }
        b.records.append(.init(frame: frame, analysers: analysers, packet: at, offset: offset, count: count))
    }

    /// Queues a flow's pending counts (counts add up in any order).
    func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        batch(room: 0).credits.append((flow, counts))
    }

    /// Sends the last batch, waits for the worker, and returns its analysers.
    func finish() -> Analysers {
        batch(room: 0).isLast = true
        submit()
        done.wait()
        return analysers!
    }

    // MARK: the worker thread

    func run() {
        // A local: no exclusivity check of a class's property per frame.
        var analysers = self.analysers.take()!
        while true {
            full.wait()
            let b = ring[reading % ring.count]
            reading += 1
            for (flow, counts) in b.credits { analysers.credit(flow, counts) }
            for r in b.records {
                let bytes = UnsafeRawBufferPointer(start: b.frameBytes(r), count: r.count).bytes
                var visitor = FrameVisitor(frame: r.frame, analysers: r.analysers)
                analysers.forEach(&visitor, packet: b.packet(r), bytes: bytes)
            }
            let last = b.isLast
            b.reset()
            free.signal()
            if last { break }
        }
        self.analysers = analysers
        done.signal()
    }
}
