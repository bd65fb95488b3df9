// TCP byte-stream reassembly (swift-nio's ByteToMessageDecoder keeps
// buffering apart from framing; so does this): turns TCP segments into the
// in-order bytes of each direction of every connection, and hands them to a
// `TCPStreamFramer` that cuts messages out of them (BGPMessageFramer.swift).
//
// How it behaves with BGPMessageFramer (and where it follows tshark 4.0, the
// project's oracle):
//
// * Several messages in one segment are delivered one by one; a message
//   spread over several segments is delivered once, attributed to the frame
//   that completes it (tshark shows it in that frame too).
// * Retransmitted and overlapping bytes (below the next expected sequence
//   number) are dropped; only new bytes are used. A repeated SYN with the
//   same initial sequence number is a retransmission; a SYN with another one
//   starts a new incarnation of the connection.
// * A segment that arrives ahead of a hole is held in a bounded reorder
//   window (the direction's buffer, at most `maxHeldSegments` pieces) until
//   the hole is filled — **unless it begins with a plausible BGP header**
//   (marker, length ≥ 19, type 1–5): then the hole is taken as capture loss
//   at once and decoding resumes at that header. tshark does not reorder
//   (its `tcp.reassemble_out_of_order` is off by default) and decodes such a
//   segment at once (`bgp-cease-hard-reset.pcap` frame 3, `bgp-role.pcapng`
//   frame 2); this rule reproduces that, at the price of losing the messages
//   of a truly reordered earlier segment that arrives after a later one which
//   begins on a message boundary.
// * A hole is given up (reported as `.gap`) when the window cannot hold what
//   comes after it, when the connection ends (FIN, RST, idle timeout,
//   eviction) and at `finish`. Decoding then resynchronises on the next
//   16-byte 0xFF marker followed by a plausible header; skipped bytes are
//   reported (`.resynchronised`). The first segment of a direction seen
//   without its SYN (capture started mid-session) is resynchronised the same
//   way.
//
// Memory, fixed per connection and allocated only when a connection is first
// seen (slots are reused after a connection ends, so a steady state allocates
// nothing): two direction buffers of `bufferCapacity` bytes (default 8 KiB).
// 8 KiB holds any message of RFC 4271 (≤ 4096 bytes) that spans segments
// plus out-of-order data behind it. A message longer than the buffer
// (Extended Message capability, RFC 8654, ≤ 65535 bytes) is still decoded
// when one segment carries it whole (GRO/TSO captures); when it spans
// segments it is skipped and reported as `.oversized` — a documented limit,
// chosen so that 256 connections cost 4 MiB rather than 32 MiB.
// At most `maxConnections` connections (default 256) are tracked; a new one
// beyond that evicts the least recently active (counted in `statistics`).

/// One direction of a TCP connection.
public struct TCPStreamDirection: Hashable, Sendable, BitwiseCopyable {
    public var source: IPAddress
    public var sourcePort: UInt16
    public var destination: IPAddress
    public var destinationPort: UInt16

    public init(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16) {
        self.source = source; self.sourcePort = sourcePort
        self.destination = destination; self.destinationPort = destinationPort
    }

    /// The other direction.
    public var reversed: TCPStreamDirection {
        TCPStreamDirection(source: destination, sourcePort: destinationPort, destination: source, destinationPort: sourcePort)
    }

    /// True when this direction's source sorts first: the connection's key is then this direction.
    var isCanonical: Bool { (source, sourcePort) <= (destination, destinationPort) }
}

/// Where a framer's bytes come from: the direction and the frame that completed them.
public struct TCPStreamPosition: Sendable, BitwiseCopyable {
    public var direction: TCPStreamDirection
    /// The frame that completed the bytes (or caused the loss).
    public var frame: Int
    /// That frame's timestamp, as given to `ingest`.
    public var timestamp: Int64
}

/// Bytes of a direction that the stream could not hand to the framer.
public enum TCPStreamLoss: Sendable, BitwiseCopyable, Equatable {
    /// Bytes never captured (`lostBytes`), and the bytes of an unfinished message before them.
    case gap(lostBytes: Int, discardedBytes: Int)
    /// The connection ended with bytes of an unfinished message.
    case incomplete(discardedBytes: Int)
}

/// Cuts messages out of the in-order bytes of one direction of a TCP connection.
/// The stream owns the buffers and the holes; the framer owns message boundaries.
public protocol TCPStreamFramer {
    /// The framing state of one direction, kept in the stream's connection slots.
    associatedtype Direction
    /// What the visitor receives with each message or loss.
    associatedtype Delivery

    /// The state of a direction not seen yet.
    static var fresh: Direction { get }
    /// Bytes before this point are gone (a SYN, a gap, a skip): the next byte begins a
    /// message (`atBoundary`) or the next message must be searched for.
    static func restart(_ direction: inout Direction, atBoundary: Bool)
    /// Where the messages are is no longer known: search for the next one.
    static func loseSync(_ direction: inout Direction)
    /// The direction's data ended (FIN, RST, eviction, `finish`).
    static func endOfData(_ direction: inout Direction)
    /// True when a message plausibly begins at `offset`: a hole before it is then taken as loss at once.
    static func looksLikeMessageStart(_ bytes: borrowing RawSpan, at offset: Int) -> Bool
    /// Delivers the whole messages at the start of `bytes`, sent by `sender` to `receiver`;
    /// returns how many bytes were used (the rest is kept and offered again with more).
    static func frame(
        _ bytes: borrowing RawSpan, sender: inout Direction, receiver: Direction, at position: TCPStreamPosition,
        bufferCapacity: Int, statistics: inout TCPStreamStatistics, _ visit: (borrowing RawSpan, Delivery) -> Void
    ) -> Int
    /// What the visitor receives for bytes the stream lost.
    static func delivery(_ loss: TCPStreamLoss, sender: Direction, receiver: Direction, at position: TCPStreamPosition) -> Delivery
}

/// Limits of a `TCPStreamReassembler`.
public struct TCPStreamConfiguration: Sendable {
    /// Connections tracked at once; one more evicts the least recently active.
    public var maxConnections = 256
    /// Bytes buffered per direction (partial message plus out-of-order data).
    public var bufferCapacity = 8192
    /// Out-of-order pieces held per direction.
    public var maxHeldSegments = 8
    /// A connection without packets for this long (by packet timestamps, nanoseconds) is dropped.
    public var idleTimeout: Int64 = 900 * 1_000_000_000
    /// The TCP port whose segments are reassembled (BGP's by default).
    public var port: UInt16 = 179

    public init() {}
}

/// Counters of what the reassembler and its framer did.
public struct TCPStreamStatistics: Sendable, Equatable {
    public var connections = 0
    public var evictions = 0
    public var idleExpirations = 0
    public var messages = 0
    public var gaps = 0
    public var lostBytes = 0
    public var retransmittedBytes = 0
    public var reorderedSegments = 0
    public var resynchronisations = 0
    public var oversizedMessages = 0
    public var badHeaders = 0
}

/// The bytes of one connection's two direction buffers, allocated once per slot.
final class TCPStreamStorage {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: 2 * capacity, alignment: 16)
    }
    deinit { base.deallocate() }
    func buffer(_ direction: Int) -> UnsafeMutableRawPointer { base + direction * capacity }
}

/// Out-of-order bytes held at `start..<end` of a direction buffer, from `frame`.
struct HeldSegment: BitwiseCopyable {
    var start: Int
    var end: Int
    var frame: Int
    var timestamp: Int64
    static let empty = HeldSegment(start: 0, end: 0, frame: 0, timestamp: 0)
}

/// The state of one direction.
struct DirectionState<Framing> {
    var started = false
    var sawSYN = false
    var initialSequence: UInt32 = 0
    /// The sequence number of buffer byte 0.
    var base: UInt32 = 0
    /// Contiguous bytes from buffer byte 0 not yet consumed (an unfinished message).
    var pending = 0
    /// Out-of-order pieces, sorted by start, disjoint, all starting after `pending`.
    var held = InlineArray<16, HeldSegment>(repeating: .empty)
    var heldCount = 0
    var finished = false
    /// Where the framer is in this direction's messages.
    var framing: Framing

    var heldEnd: Int { heldCount > 0 ? held[heldCount - 1].end : pending }
}

struct ConnectionSlot<Framing> {
    var inUse = false
    var key: TCPStreamDirection
    var lastSeen: Int64 = 0
    var lastFrame = 0
    /// Direction 0 is `key`, direction 1 its reverse.
    var directions: DirectionPair<Framing>
    let storage: TCPStreamStorage
}

/// The two directions of a connection, as stored properties: an `InlineArray`
/// element read copies the whole array first (see `PacketLevels`).
struct DirectionPair<Framing> {
    var forward: DirectionState<Framing>
    var reverse: DirectionState<Framing>

    init(_ fresh: Framing) {
        forward = DirectionState(framing: fresh)
        reverse = DirectionState(framing: fresh)
    }

    subscript(d: Int) -> DirectionState<Framing> {
        @inline(__always) get { d == 0 ? forward : reverse }
        @inline(__always) _modify {
            if d == 0 { yield &forward } else { yield &reverse }
        }
    }
}

/// Reassembles the byte streams of TCP connections and hands them to `Framer`,
/// which cuts them into messages.
///
/// Feed every TCP segment to or from the configured port in capture order, with
/// its frame number and timestamp; whole messages (and notices about gaps) come
/// back through the non-escaping visitor, each with the frame that completed
/// it. Call `finish` after the last packet. See `ControlPlaneDecoder` for the
/// step from a `DecodedPacket` to events.
public struct TCPStreamReassembler<Framer: TCPStreamFramer> {
    public let configuration: TCPStreamConfiguration
    public private(set) var statistics = TCPStreamStatistics()
    var slots: [ConnectionSlot<Framer.Direction>] = []
    var index: [TCPStreamDirection: Int] = [:]
    var freeSlots: [Int] = []
    var lastSweep: Int64 = .min

    public init(configuration: TCPStreamConfiguration = TCPStreamConfiguration()) {
        var c = configuration
        c.maxConnections = max(1, c.maxConnections)
        c.bufferCapacity = max(64, c.bufferCapacity)
        c.maxHeldSegments = min(16, max(1, c.maxHeldSegments))
        self.configuration = c
        slots.reserveCapacity(c.maxConnections)
        index.reserveCapacity(c.maxConnections)
        freeSlots.reserveCapacity(c.maxConnections)
    }

    /// Connections currently tracked.
    public var connectionCount: Int { index.count }

    /// The visitor: a message's bytes (empty for a notice) and what they are.
    public typealias Visitor = (borrowing RawSpan, Framer.Delivery) -> Void

    /// Feeds the TCP segment of `packet` (any level whose TCP port is the
    /// configured port; the innermost such level) from the captured `bytes` of frame
    /// `frameNumber`. Packets without such a segment are ignored.
    public mutating func ingest(
        _ packet: PacketView, bytes: borrowing RawSpan, frameNumber: Int, timestamp: Int64,
        _ visit: Visitor
    ) {
        var level = packet.levelCount - 1
        while level >= 0 {
            // Fields read one by one: no copy of the whole level.
            let t = packet.levels[level].transport
            if t.kind == .tcp, t.sourcePort == configuration.port || t.destinationPort == configuration.port,
               packet.levels[level].origin != .icmpQuote, let ip = packet.levels[level].ip {
                let start = min(t.payloadOffset, bytes.byteCount)
                let end = min(bytes.byteCount, start + max(0, t.capturedPayloadLength))
                let payload = bytes.extracting(start..<end)
                ingest(
                    TCPStreamDirection(source: ip.source, sourcePort: t.sourcePort,
                                       destination: ip.destination, destinationPort: t.destinationPort),
                    sequence: t.sequence, flags: t.tcpFlags, payload: payload, frame: frameNumber,
                    timestamp: timestamp, visit)
                return
            }
            level -= 1
        }
    }

    /// Feeds one TCP segment: its direction, sequence number, flags and the
    /// captured payload bytes.
    public mutating func ingest(
        _ direction: TCPStreamDirection, sequence: UInt32, flags: TCPFlags, payload: borrowing RawSpan,
        frame: Int, timestamp: Int64, _ visit: Visitor
    ) {
        if timestamp &- lastSweep > 1_000_000_000 || timestamp < lastSweep {
            lastSweep = timestamp
            expireIdle(now: timestamp, visit)
        }
        let key = direction.isCanonical ? direction : direction.reversed
        let d = direction.isCanonical ? 0 : 1
        let slot: Int
        if let i = index[key] {
            slot = i
        } else {
            guard payload.byteCount > 0 || flags.contains(.syn) else { return }
            guard !flags.contains(.rst) else { return }
            slot = openSlot(key, timestamp: timestamp, frame: frame, visit)
        }
        slots[slot].lastSeen = timestamp
        slots[slot].lastFrame = frame

        var dataSequence = sequence
        if flags.contains(.syn) {
            dataSequence = sequence &+ 1
            let st = slots[slot].directions[d]
            if !(st.started && st.sawSYN && st.initialSequence == sequence) {
                if st.started {
                    // A new incarnation of the connection on the same ports.
                    flushDirection(slot, d, frame: frame, timestamp: timestamp, visit)
                }
                slots[slot].directions[d] = DirectionState(framing: Framer.fresh)
                slots[slot].directions[d].started = true
                slots[slot].directions[d].sawSYN = true
                slots[slot].directions[d].initialSequence = sequence
                slots[slot].directions[d].base = dataSequence
                Framer.restart(&slots[slot].directions[d].framing, atBoundary: true)
            }
        } else if !slots[slot].directions[d].started, payload.byteCount > 0 {
            // First bytes of a direction whose SYN was not captured: start here and look for a marker.
            slots[slot].directions[d].started = true
            slots[slot].directions[d].base = sequence
            Framer.restart(&slots[slot].directions[d].framing, atBoundary: false)
        }
        if payload.byteCount > 0 && slots[slot].directions[d].started && !slots[slot].directions[d].finished {
            let rel = Int(Int32(bitPattern: dataSequence &- slots[slot].directions[d].base))
            ingestData(slot, d, at: rel, payload, frame: frame, timestamp: timestamp, visit)
        }
        if flags.contains(.rst) {
            closeSlot(slot, frame: frame, timestamp: timestamp, visit)
        } else if flags.contains(.fin) {
            flushDirection(slot, d, frame: frame, timestamp: timestamp, visit)
            slots[slot].directions[d].finished = true
            if slots[slot].directions[1 - d].finished { closeSlot(slot, frame: frame, timestamp: timestamp, visit) }
        }
    }

    /// Ends every connection: out-of-order data is decoded after its gap, and
    /// unfinished messages are reported. Call after the last packet.
    public mutating func finish(_ visit: Visitor) {
        for i in slots.indices where slots[i].inUse {
            closeSlot(i, frame: slots[i].lastFrame, timestamp: slots[i].lastSeen, visit)
        }
    }

    /// Drops connections idle for longer than the configured timeout at `now`.
    public mutating func expireIdle(now: Int64, _ visit: Visitor) {
        for i in slots.indices where slots[i].inUse && now &- slots[i].lastSeen > configuration.idleTimeout {
            statistics.idleExpirations += 1
            closeSlot(i, frame: slots[i].lastFrame, timestamp: slots[i].lastSeen, visit)
        }
    }

    // MARK: connection slots

    mutating func openSlot(_ key: TCPStreamDirection, timestamp: Int64, frame: Int, _ visit: Visitor) -> Int {
        statistics.connections += 1
        if freeSlots.isEmpty && slots.count >= configuration.maxConnections {
            // Evict the least recently active connection.
            var oldest = 0
            for i in slots.indices where slots[i].lastSeen < slots[oldest].lastSeen { oldest = i }
            statistics.evictions += 1
            closeSlot(oldest, frame: slots[oldest].lastFrame, timestamp: slots[oldest].lastSeen, visit)
        }
        let i: Int
        if let free = freeSlots.popLast() {
            i = free
            slots[i].key = key
            slots[i].directions = DirectionPair(Framer.fresh)
        } else {
            // The only allocation: a new connection's buffers.
            i = slots.count
            slots.append(ConnectionSlot(
                key: key, directions: DirectionPair(Framer.fresh), storage: TCPStreamStorage(capacity: configuration.bufferCapacity)))
        }
        slots[i].inUse = true
        slots[i].lastSeen = timestamp
        slots[i].lastFrame = frame
        index[key] = i
        return i
    }

    mutating func closeSlot(_ i: Int, frame: Int, timestamp: Int64, _ visit: Visitor) {
        guard slots[i].inUse else { return }
        flushDirection(i, 0, frame: frame, timestamp: timestamp, visit)
        flushDirection(i, 1, frame: frame, timestamp: timestamp, visit)
        slots[i].inUse = false
        index[slots[i].key] = nil
        freeSlots.append(i)
    }

    /// Decodes what is held after the direction's holes and reports what is left unfinished.
    mutating func flushDirection(_ i: Int, _ d: Int, frame: Int, timestamp: Int64, _ visit: Visitor) {
        var guardCount = 0
        while slots[i].directions[d].heldCount > 0 && guardCount < 64 {
            skipFirstHole(i, d, visit)
            guardCount += 1
        }
        let st = slots[i].directions[d]
        if st.pending > 0 {
            lost(i, d, .incomplete(discardedBytes: st.pending), frame: frame, timestamp: timestamp, visit)
        }
        slots[i].directions[d].base = st.base &+ UInt32(truncatingIfNeeded: st.pending)
        slots[i].directions[d].pending = 0
        slots[i].directions[d].heldCount = 0
        Framer.endOfData(&slots[i].directions[d].framing)
    }

    // MARK: bytes

    /// Places `payload` at `rel` bytes after the direction's base and delivers what completes.
    mutating func ingestData(
        _ i: Int, _ d: Int, at rel: Int, _ payload: borrowing RawSpan, frame: Int, timestamp: Int64, _ visit: Visitor
    ) {
        let capacity = configuration.bufferCapacity
        let buffer = slots[i].storage.buffer(d)
        let length = payload.byteCount
        var rel = rel
        var from = 0
        // Every pass consumes payload bytes, delivers or drops buffered bytes, or gives up a hole,
        // so the loop ends; the bound is a second line of defence.
        var passes = 0
        while from < length && passes < 4 * (length / 64 + 16) {
            passes += 1
            let pending = slots[i].directions[d].pending
            if rel < pending {
                // Retransmitted or overlapping bytes: keep the ones already there.
                let duplicate = min(length - from, pending - rel)
                statistics.retransmittedBytes += duplicate
                from += duplicate
                rel += duplicate
                continue
            }
            if rel == pending && pending == 0 && slots[i].directions[d].heldCount == 0 {
                // Fast path: nothing buffered, decode straight from the segment.
                let chunk = payload.extracting(from..<length)
                let used = consume(i, d, chunk, frame: frame, timestamp: timestamp, visit)
                let left = min(length - from - used, capacity)
                if left > 0 {
                    // In bounds: `left` ≤ capacity bytes from the segment's tail.
                    payload.withUnsafeBytes { src in
                        buffer.copyMemory(from: src.baseAddress! + (length - left), byteCount: left)
                    }
                }
                slots[i].directions[d].base &+= UInt32(truncatingIfNeeded: length - from - left)
                slots[i].directions[d].pending = left
                return
            }
            if rel == pending {
                // In order, behind an unfinished message or before held data: append, then decode.
                let n = min(length - from, capacity - pending)
                if n > 0 {
                    // In bounds: pending + n ≤ capacity. Overwriting held bytes writes the same stream bytes.
                    payload.withUnsafeBytes { src in
                        (buffer + pending).copyMemory(from: src.baseAddress! + from, byteCount: n)
                    }
                    slots[i].directions[d].pending = pending + n
                    from += n
                    rel += n
                }
                absorbHeld(i, d)
                consumeBuffer(i, d, frame: frame, timestamp: timestamp, visit)
                if n == 0 && slots[i].directions[d].pending == capacity {
                    // Cannot happen (an unfinished message is shorter than the buffer); give up the bytes.
                    lost(i, d, .incomplete(discardedBytes: capacity), frame: frame, timestamp: timestamp, visit)
                    rebase(i, d, by: capacity)
                    Framer.loseSync(&slots[i].directions[d].framing)
                    rel -= capacity
                }
                continue
            }
            // A hole before this segment.
            if Framer.looksLikeMessageStart(payload, at: from) {
                // Taken as capture loss at once, like tshark: decode from this header.
                let before = slots[i].directions[d].base
                skipTo(i, d, rel, frame: frame, timestamp: timestamp, visit)
                rel -= Int(Int32(bitPattern: slots[i].directions[d].base &- before))
                continue
            }
            let n = length - from
            if rel + n <= capacity && slots[i].directions[d].heldCount < configuration.maxHeldSegments {
                // In bounds: rel + n ≤ capacity.
                payload.withUnsafeBytes { src in
                    (buffer + rel).copyMemory(from: src.baseAddress! + from, byteCount: n)
                }
                hold(i, d, start: rel, end: rel + n, frame: frame, timestamp: timestamp)
                statistics.reorderedSegments += 1
                return
            }
            // The window cannot hold it: give up the first hole and try again.
            let before = slots[i].directions[d].base
            if slots[i].directions[d].heldCount > 0 && slots[i].directions[d].held[0].start < rel {
                skipFirstHole(i, d, visit)
            } else {
                skipTo(i, d, rel, frame: frame, timestamp: timestamp, visit)
                Framer.loseSync(&slots[i].directions[d].framing)
            }
            rel -= Int(Int32(bitPattern: slots[i].directions[d].base &- before))
        }
    }

    /// Moves the direction's start forward by `n` bytes: drops buffer bytes `0..<n`, shifts held pieces.
    mutating func rebase(_ i: Int, _ d: Int, by n: Int) {
        guard n > 0 else { return }
        let buffer = slots[i].storage.buffer(d)
        var st = slots[i].directions[d]
        let end = st.heldEnd
        if n < end {
            // In bounds: n < end ≤ capacity.
            buffer.copyMemory(from: buffer + n, byteCount: end - n)
        }
        var kept = 0
        for k in 0..<st.heldCount where st.held[k].end > n {
            var h = st.held[k]
            h.start = max(0, h.start - n)
            h.end -= n
            st.held[kept] = h
            kept += 1
        }
        st.heldCount = kept
        st.pending = max(0, st.pending - n)
        st.base &+= UInt32(truncatingIfNeeded: n)
        slots[i].directions[d] = st
    }

    /// Records held bytes `start..<end`, keeping the list sorted and disjoint.
    mutating func hold(_ i: Int, _ d: Int, start: Int, end: Int, frame: Int, timestamp: Int64) {
        var st = slots[i].directions[d]
        // Merge with every piece it touches or overlaps.
        var s = start, e = end, f = frame, t = timestamp
        var out = InlineArray<16, HeldSegment>(repeating: .empty)
        var count = 0
        var inserted = false
        for k in 0..<st.heldCount {
            let h = st.held[k]
            if h.end < s {
                out[count] = h; count += 1
            } else if h.start > e {
                if !inserted { out[count] = HeldSegment(start: s, end: e, frame: f, timestamp: t); count += 1; inserted = true }
                out[count] = h; count += 1
            } else {
                s = min(s, h.start); e = max(e, h.end)
                if h.frame > f { f = h.frame; t = h.timestamp }
            }
        }
        if !inserted { out[count] = HeldSegment(start: s, end: e, frame: f, timestamp: t); count += 1 }
        st.held = out
        st.heldCount = count
        slots[i].directions[d] = st
    }

    /// Extends the contiguous bytes over held pieces that now touch them.
    mutating func absorbHeld(_ i: Int, _ d: Int) {
        var st = slots[i].directions[d]
        var k = 0
        while k < st.heldCount && st.held[k].start <= st.pending {
            st.pending = max(st.pending, st.held[k].end)
            k += 1
        }
        if k > 0 {
            for j in 0..<(st.heldCount - k) { st.held[j] = st.held[j + k] }
            st.heldCount -= k
        }
        slots[i].directions[d] = st
    }

    /// Gives up the hole before the first held piece: reports it, drops the
    /// unfinished message before it, and decodes the held pieces that follow,
    /// each message attributed to the frame of the piece that completed it.
    mutating func skipFirstHole(_ i: Int, _ d: Int, _ visit: Visitor) {
        let st = slots[i].directions[d]
        guard st.heldCount > 0 else { return }
        let first = st.held[0]
        statistics.gaps += 1
        statistics.lostBytes += first.start - st.pending
        lost(i, d, .gap(lostBytes: first.start - st.pending, discardedBytes: st.pending),
             frame: first.frame, timestamp: first.timestamp, visit)
        slots[i].directions[d].pending = 0
        rebase(i, d, by: first.start)
        Framer.restart(&slots[i].directions[d].framing, atBoundary: false)
        // Decode piece by piece while they are contiguous.
        while slots[i].directions[d].heldCount > 0 && slots[i].directions[d].held[0].start <= slots[i].directions[d].pending {
            let piece = slots[i].directions[d].held[0]
            let pendingBefore = slots[i].directions[d].pending
            slots[i].directions[d].pending = max(pendingBefore, piece.end)
            let count = slots[i].directions[d].heldCount
            for j in 0..<(count - 1) { slots[i].directions[d].held[j] = slots[i].directions[d].held[j + 1] }
            slots[i].directions[d].heldCount = count - 1
            consumeBuffer(i, d, frame: piece.frame, timestamp: piece.timestamp, visit)
        }
    }

    /// Gives up everything before `rel` (a hole, and held pieces before it,
    /// which are decoded first), so that `rel` becomes the direction's base.
    mutating func skipTo(_ i: Int, _ d: Int, _ rel: Int, frame: Int, timestamp: Int64, _ visit: Visitor) {
        var target = rel
        var guardCount = 0
        while slots[i].directions[d].heldCount > 0 && slots[i].directions[d].held[0].start < target && guardCount < 32 {
            let before = slots[i].directions[d].base
            skipFirstHole(i, d, visit)
            target -= Int(Int32(bitPattern: slots[i].directions[d].base &- before))
            guardCount += 1
        }
        let st = slots[i].directions[d]
        guard target > st.pending else { return }
        statistics.gaps += 1
        statistics.lostBytes += target - st.pending
        lost(i, d, .gap(lostBytes: target - st.pending, discardedBytes: st.pending), frame: frame, timestamp: timestamp, visit)
        if target >= configuration.bufferCapacity {
            slots[i].directions[d].base = st.base &+ UInt32(truncatingIfNeeded: target)
            slots[i].directions[d].pending = 0
            slots[i].directions[d].heldCount = 0
        } else {
            slots[i].directions[d].pending = 0
            rebase(i, d, by: target)
        }
        Framer.restart(&slots[i].directions[d].framing, atBoundary: true)
    }

    /// Decodes the contiguous buffered bytes and drops what was consumed.
    mutating func consumeBuffer(_ i: Int, _ d: Int, frame: Int, timestamp: Int64, _ visit: Visitor) {
        let pending = slots[i].directions[d].pending
        guard pending > 0 else { return }
        let raw = UnsafeRawBufferPointer(start: slots[i].storage.buffer(d), count: pending)
        let used = consume(i, d, raw.bytes, frame: frame, timestamp: timestamp, visit)
        rebase(i, d, by: used)
    }

    /// Hands `bytes` (the start of direction `d`'s contiguous data) to the framer; returns the bytes it used.
    mutating func consume(_ i: Int, _ d: Int, _ bytes: borrowing RawSpan, frame: Int, timestamp: Int64, _ visit: Visitor) -> Int {
        // A copy of the sender's framing state: the receiver's is read in the same call.
        var sender = slots[i].directions[d].framing
        let used = Framer.frame(
            bytes, sender: &sender, receiver: slots[i].directions[1 - d].framing, at: position(i, d, frame: frame, timestamp: timestamp),
            bufferCapacity: configuration.bufferCapacity, statistics: &statistics, visit)
        slots[i].directions[d].framing = sender
        return used
    }

    func position(_ i: Int, _ d: Int, frame: Int, timestamp: Int64) -> TCPStreamPosition {
        let key = slots[i].key
        return TCPStreamPosition(direction: d == 0 ? key : key.reversed, frame: frame, timestamp: timestamp)
    }

    /// Tells the visitor about bytes of direction `d` that were lost or thrown away.
    func lost(_ i: Int, _ d: Int, _ loss: TCPStreamLoss, frame: Int, timestamp: Int64, _ visit: Visitor) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let delivery = Framer.delivery(
            loss, sender: slots[i].directions[d].framing, receiver: slots[i].directions[1 - d].framing,
            at: position(i, d, frame: frame, timestamp: timestamp))
        visit(empty.bytes, delivery)
    }
}
