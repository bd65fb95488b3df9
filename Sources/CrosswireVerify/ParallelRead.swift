// Reading on two cores without reading or decoding twice. The calling thread
// reads the captures (interleaved by time), decodes each frame, keeps the
// capture summaries and the flow table, and credits the frames no analyser
// needs (FlowTable.swift). The frames new to an analyser go in a batch to a
// second thread, which runs every analyser on them. A frame decoded in full is
// decoded straight into the batch being filled, and the analysers read it
// there. A steady frame (its flow's header template, patched) goes as the
// template's way alone: the worker patches its own copy of the template
// (`TemplateMirror`), so no decoded packet crosses from one core to the other.
// That matters where the two cores share no cache (chiplets, sockets, a VM's
// placement): a line written on one core and read on the other costs there
// several times what it costs within one (docs/PERFORMANCE.md). A frame read through a file's window stays where the
// window has it (the worker is the window's `FrameHolder`); others are copied
// into the batch. A batch changes hands whole, so the threads meet once per
// few hundred frames; the batches are reused, so nothing is allocated per
// frame.
// The analysers see exactly the frames, in exactly the order, they would see on
// one thread: the verdict is the same by construction.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import Dispatch
import Synchronization

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
        let inputs = try open(sources)
        // The worker's analysers are told what the reading thread's were (`open`): a fresh copy.
        let worker = AnalysisWorker(analysers: analysers.configured(topology: topology), templates: templates, batchFrames: batchFrames)
        self.worker = worker
        DispatchQueue.global(qos: .userInitiated).async { worker.run() }
        readOpened(inputs, progress: progress)
        analysers = worker.finish()
        self.worker = nil
    }
}

/// How the reading thread decoded a frame, as the analysers' thread needs to know it.
struct FrameDecode {
    var originalLength: Int
    /// The way of the header template it was decoded from (`TemplateLookup.way`); -1: decoded in full.
    var template = -1
    /// The way `HeaderTemplates.learn` took it as; -1: not learned.
    var learned = -1
}

/// Frames on their way to the analysers' thread, with their bytes and decoded packets, and flows to credit.
final class FrameBatch {
    struct Record {
        var frame: FrameContext
        /// The analysers it goes to (FrameVisitor).
        var analysers: UInt64
        /// Where its decoded packet lies in `bytes`; unused when it is decoded from a template.
        var packet: Int
        /// Whether the worker decodes it from its `TemplateMirror`, and keeps it there.
        var decode: FrameDecode
        /// The frame's `count` bytes: in `bytes` right after the packet's used bytes, in
        /// `oversized`, or in a reader's window until the worker lets go (`FrameHolder`).
        var bytes: UnsafeRawPointer
        var count: Int
    }
    // Unchecked: one thread at a time has a batch, handed over by the semaphores, and a
    // dynamic exclusivity check on every append cost about 220 instructions a frame.
    /// `maxRecords` records, the first `recordCount` written. Not an array: appending to one
    /// checked its buffer's uniqueness and retained and released it, every frame.
    let records: UnsafeMutablePointer<Record>
    @exclusivity(unchecked) var recordCount = 0
    /// `maxBytes` bytes, `used` of them written.
    let bytes: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) var used = 0
    /// The bytes of frames too large for `bytes` (a pcapng block may hold up to 16 MiB). Rare, so allocated.
    @exclusivity(unchecked) var oversized: [UnsafeMutableRawBufferPointer] = []
    /// Evicted flows' pending counts (`FlowPending.start`), each credited before `records[before]`:
    /// where one thread credits it. An analyser may count a credit only for what it has seen
    /// (a tunnel signature's packets), so the order matters.
    @exclusivity(unchecked) var credits: [(flow: FlowSummary, counts: FlowCounts, before: Int)] = []
    /// The last batch of the read.
    @exclusivity(unchecked) var isLast = false
    let maxRecords: Int
    static let maxBytes = 1 << 20

    init(maxRecords: Int) {
        self.maxRecords = maxRecords
        records = .allocate(capacity: maxRecords)
        bytes = .allocate(byteCount: Self.maxBytes, alignment: 16)
        // An eviction comes with a new flow's first frame, which is new to an analyser: one a record at most.
        credits.reserveCapacity(maxRecords)
    }

    deinit {
        records.deallocate()
        bytes.deallocate()
        for o in oversized { o.deallocate() }
    }

    /// Where the next packet goes: `used`, rounded up to a packet's alignment.
    var nextPacket: Int { (used + Self.packetAlignment - 1) & ~(Self.packetAlignment - 1) }
    /// Computed: a `static let` checked its `swift_once` at each frame's two reads.
    static var packetAlignment: Int { max(16, MemoryLayout<DecodedPacket>.alignment) }

    /// True when a record with `count` bytes of frame may not fit: the decoder writes a
    /// whole packet, however few of its bytes the batch keeps.
    func isFull(adding count: Int) -> Bool {
        recordCount >= maxRecords || credits.count >= maxRecords
            || nextPacket + MemoryLayout<DecodedPacket>.size + count > Self.maxBytes
    }
    /// `r`'s decoded packet, where it lies.
    func packet(_ r: Record) -> PacketView {
        PacketView(UnsafePointer((bytes.baseAddress! + r.packet).assumingMemoryBound(to: DecodedPacket.self)))
    }

    func reset() {
        recordCount = 0
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
final class AnalysisWorker: FrameHolder, ChunkReadTaker, @unchecked Sendable {
    /// Taken by the worker thread while it runs (a copy would share, then copy, its tables).
    private var analysers: Analysers?
    private let ring: [FrameBatch]
    private let full = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)
    /// Batches the worker is done with, counted before each `free.signal()`.
    private let batchesDone = Atomic<Int>(0)
    /// The batch being filled (calling thread), and the next one to read (worker thread):
    /// each used by one thread only, so unchecked (as `FrameBatch`'s).
    @exclusivity(unchecked) private var filling = 0
    @exclusivity(unchecked) private var reading = 0
    /// Unretained (`ring` keeps the batches): a strong reference taken per frame was an
    /// atomic retain and release each.
    @exclusivity(unchecked) private var current: Unmanaged<FrameBatch>?
    /// What keeps the windows alive whose frames the batches point into (calling thread).
    private var windows: [AnyObject] = []
    /// The reading thread's header templates, as the frames sent so far taught them (worker thread).
    private let mirror: TemplateMirror
    /// Reads the calling thread's windows posted for this thread to do (`readAhead`); each is
    /// also a wake-up of the worker, as a batch is.
    private let reads = ChunkReadQueue()
    /// Batches sent (`submit`), so that the worker takes a read only when no batch waits.
    private let batchesSent = Atomic<Int>(0)
    @exclusivity(unchecked) private var sentBatches = 0
    /// Per template way: the mirror has the reading thread's template (calling thread). A
    /// template learned from a frame that is not sent is not there until a frame decoded from it
    /// is sent with its packet.
    private let mirrored: UnsafeMutablePointer<Bool>

    /// 8 batches: with 4, a run of costly frames on one side (full decodes there, checksums
    /// here) soon stalled the other, which waited on its semaphore about once a batch
    /// (1M frames: 1,700 waits of a thread woken by the other; with 8, mix −10% wall time).
    init(analysers: Analysers, templates: HeaderTemplates, batchFrames: Int = 512, batches: Int = 8) {
        self.analysers = analysers
        mirror = TemplateMirror(of: templates)
        mirrored = .allocate(capacity: mirror.ways)
        mirrored.initialize(repeating: false, count: mirror.ways)
        ring = (0..<batches).map { _ in FrameBatch(maxRecords: batchFrames) }
        free = DispatchSemaphore(value: batches)
    }

    // MARK: the calling thread

    /// Holds the frames `reader` hands out through its window (`FrameHolder`), and keeps the
    /// window until the worker is done with them.
    func hold(_ reader: borrowing CaptureFileReader) {
        guard let window = reader.window else { return }
        windows.append(window)
        reader.holder = self
        reader.readsAhead = self
    }

    deinit {
        mirrored.deallocate()
    }

    /// Takes `read` for the worker, which does it when no batch waits (`ChunkReadTaker`): the
    /// kernel's copy was a fifth of the reading thread, which set the pace.
    func readAhead(_ read: ChunkRead) -> Bool {
        guard reads.post(read) else { return false }
        full.signal()
        return true
    }

    /// Template `way` was just learned, from the frame being decoded: not in the mirror yet.
    func learned(way: Int) { mirrored[way] = false }

    /// The batch being filled (`FrameHolder`): the frames handed out so far are in it or
    /// in one before it.
    var stamp: Int { filling - 1 }

    /// Returns once the worker is done with every batch up to `stamp`: sends the batch being
    /// filled if it is one of them, and waits for batches to come back.
    func release(through stamp: Int) {
        while batchesDone.load(ordering: .acquiring) <= stamp { _ = nextBatch() }
    }

    /// The batch being filled when it has room, else the next one (out of line: once a batch).
    @inline(__always)
    private func batch(room count: Int) -> Unmanaged<FrameBatch> {
        if let current, !current._withUnsafeGuaranteedRef({ $0.isFull(adding: count) }) { return current }
        return nextBatch()
    }

    @inline(never)
    private func nextBatch() -> Unmanaged<FrameBatch> {
        if current != nil { submit() }
        free.wait()
        let next = Unmanaged.passUnretained(ring[filling % ring.count])
        filling += 1
        current = next
        return next
    }

    private func submit() {
        current = nil
        sentBatches += 1
        batchesSent.store(sentBatches, ordering: .releasing)
        full.signal()
    }

    /// Where the next frame, of `count` bytes, is decoded: in the batch being filled, where
    /// `send` keeps it if an analyser needs it and the next frame's decode overwrites it if
    /// none does. `held`: its bytes stay where they are until the worker lets go of them
    /// (in a window of a reader whose `holder` it is).
    @inline(__always)
    func slot(count: Int, held: Bool) -> UnsafeMutablePointer<DecodedPacket> {
        // Room for the packet and the frame's bytes, or for the packet alone when the frame
        // is held or goes in `oversized`. A batch with room for a record has room for its credit.
        batch(room: !held && Self.fits(count) ? count : 0)._withUnsafeGuaranteedRef { b in
            (b.bytes.baseAddress! + b.nextPacket).bindMemory(to: DecodedPacket.self, capacity: 1)
        }
    }

    static func fits(_ count: Int) -> Bool {
        FrameBatch.packetAlignment + MemoryLayout<DecodedPacket>.size + count <= FrameBatch.maxBytes
    }

    /// Keeps the frame just decoded for `analysers`, with its bytes (`held`: as `slot`'s). Its
    /// packet is in `slot` when it was decoded in full. From a template (`decoded.template`)
    /// the mirror has, only the template's way goes, and the worker decodes it from there; from
    /// one it lacks, the packet goes into the batch, for the worker's mirror too.
    func send(_ frame: FrameContext, to analysers: UInt64, packet: PacketView, bytes: borrowing RawSpan, held: Bool, decoded: FrameDecode) {
        if decoded.template >= 0, !mirrored[decoded.template] {
            sendWithPacket(frame, to: analysers, packet: packet, bytes: bytes, held: held, decoded: decoded)
        } else {
            enqueue(frame, to: analysers, packet: packet, bytes: bytes, held: held, decoded: decoded)
        }
    }

    /// A frame from a template the worker's mirror lacks: a copy of its packet goes as a full
    /// decode, which the mirror learns the way from.
    private func sendWithPacket(_ frame: FrameContext, to analysers: UInt64, packet: PacketView, bytes: borrowing RawSpan, held: Bool, decoded: FrameDecode) {
        let into = slot(count: bytes.byteCount, held: held)
        UnsafeMutableRawPointer(into).copyMemory(from: UnsafeRawPointer(packet.packet), byteCount: packet.usedByteCount)
        let full = FrameDecode(originalLength: decoded.originalLength, template: -1, learned: decoded.template)
        enqueue(frame, to: analysers, packet: PacketView(into), bytes: bytes, held: held, decoded: full)
    }

    /// Puts the frame's record in the batch, its bytes with it unless `held`.
    private func enqueue(_ frame: FrameContext, to analysers: UInt64, packet: PacketView, bytes: borrowing RawSpan, held: Bool, decoded: FrameDecode) {
        if decoded.learned >= 0 { mirrored[decoded.learned] = true }
        let count = bytes.byteCount
        // Unretained, as `slot` or `batch` found it: `ring` keeps the batch.
        let batch = decoded.template >= 0 ? batch(room: !held && Self.fits(count) ? count : 0) : current!
        batch._withUnsafeGuaranteedRef { b in
            let at = b.nextPacket
            if decoded.template < 0 {
                precondition(UnsafeRawPointer(packet.packet) == UnsafeRawPointer(b.bytes.baseAddress! + at), "a frame not decoded in its batch")
                b.used = at + packet.usedByteCount
            }
            let source = bytes.withUnsafeBytes { $0.baseAddress }
            let place: UnsafeRawPointer
            if let source, held {
                place = source
            } else if Self.fits(count) {
                precondition(b.used + count <= FrameBatch.maxBytes, "a frame past its batch's bytes")
                let to = b.bytes.baseAddress! + b.used
                if let source { to.copyMemory(from: source, byteCount: count) }
                b.used += count
                place = UnsafeRawPointer(to)
            } else {
                let own = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                b.oversized.append(own)
                if let source { own.baseAddress!.copyMemory(from: source, byteCount: count) }
                place = UnsafeRawPointer(own.baseAddress!)
            }
            (b.records + b.recordCount).initialize(
                to: .init(frame: frame, analysers: analysers, packet: at, decode: decoded, bytes: place, count: count))
            b.recordCount += 1
        }
    }

    /// Queues a flow's pending counts, to be credited before the next frame sent.
    func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        batch(room: 0)._withUnsafeGuaranteedRef { b in b.credits.append((flow, counts, b.recordCount)) }
    }

    /// Sends the last batch, waits for the worker, and returns its analysers.
    func finish() -> Analysers {
        batch(room: 0)._withUnsafeGuaranteedRef { $0.isLast = true }
        submit()
        done.wait()
        windows.removeAll()
        return analysers!
    }

    // MARK: the worker thread

    func run() {
        // A local: no exclusivity check of a class's property per frame.
        var analysers = self.analysers.take()!
        while true {
            full.wait()
            // A wake-up is a read posted or a batch sent. Batches first: a read is done here
            // only when this thread would wait otherwise, and else by the reading thread when
            // it needs it, so the copy goes to whichever thread has room.
            if reading == batchesSent.load(ordering: .acquiring), let read = reads.take() {
                read.perform()
                continue
            }
            let b = ring[reading % ring.count]
            reading += 1
            var credit = 0
            for i in 0..<b.recordCount {
                let r = b.records[i]
                while credit < b.credits.count, b.credits[credit].before == i {
                    analysers.credit(b.credits[credit].flow, b.credits[credit].counts)
                    credit += 1
                }
                let bytes = UnsafeRawBufferPointer(start: r.bytes, count: r.count).bytes
                let packet = r.decode.template >= 0
                    ? mirror.decode(bytes, way: r.decode.template, originalLength: r.decode.originalLength) : b.packet(r)
                var visitor = FrameVisitor(analysers: r.analysers)
                analysers.forEach(&visitor, packet: packet, bytes: bytes, frame: r.frame)
                if r.decode.learned >= 0 { mirror.keep(packet, way: r.decode.learned) }
            }
            for c in b.credits[credit...] { analysers.credit(c.flow, c.counts) }
            let last = b.isLast
            b.reset()
            batchesDone.add(1, ordering: .releasing)
            free.signal()
            if last { break }
        }
        self.analysers = analysers
        done.signal()
    }
}
