// TCP stream reassembly for BGP (port 179): turns TCP segments into whole
// BGP messages, in both directions of every connection.
//
// How it behaves (and where it follows tshark 4.0, the project's oracle):
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
public struct BGPStreamDirection: Hashable, Sendable, BitwiseCopyable {
    public var source: IPAddress
    public var sourcePort: UInt16
    public var destination: IPAddress
    public var destinationPort: UInt16

    public init(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16) {
        self.source = source; self.sourcePort = sourcePort
        self.destination = destination; self.destinationPort = destinationPort
    }

    /// The other direction.
    public var reversed: BGPStreamDirection {
        BGPStreamDirection(source: destination, sourcePort: destinationPort, destination: source, destinationPort: sourcePort)
    }

    /// True when this direction's source sorts first: the connection's key is then this direction.
    var isCanonical: Bool { (source, sourcePort) <= (destination, destinationPort) }
}

/// Something the reassembler observed in a stream other than a message.
public enum BGPStreamNotice: Sendable, BitwiseCopyable, Equatable {
    /// Bytes of the stream that were never captured (`lostBytes`), and the
    /// bytes of an unfinished message before them that were thrown away.
    case gap(lostBytes: Int, discardedBytes: Int)
    /// Bytes skipped to find the next BGP marker (after a gap, at a mid-session start, or after a bad header).
    case resynchronised(skippedBytes: Int)
    /// A header with a bad marker or a length below 19; the stream resynchronises after it.
    case badHeader(DecodeStop)
    /// A message longer than the buffer that spans segments: its bytes are skipped.
    case oversized(length: Int)
    /// The connection ended (FIN, RST, idle, eviction or `finish`) with bytes of an unfinished message.
    case incomplete(discardedBytes: Int)
}

/// What the reassembler hands its visitor with each message or notice.
public struct BGPStreamDelivery: Sendable, BitwiseCopyable {
    public enum Kind: Sendable, BitwiseCopyable, Equatable {
        /// A whole message: the span passed along holds exactly its bytes, header included.
        case message(BGPMessageType)
        case notice(BGPStreamNotice)
    }
    public var kind: Kind
    /// The frame that completed the message (or caused the notice).
    public var frame: Int
    /// That frame's timestamp, as given to `ingest`.
    public var timestamp: Int64
    public var direction: BGPStreamDirection
    /// What the session negotiated for messages in this direction, as far as the OPENs were seen.
    public var session: BGPSessionOptions
}

/// Limits of a `BGPStreamReassembler`.
public struct BGPStreamConfiguration: Sendable {
    /// Connections tracked at once; one more evicts the least recently active.
    public var maxConnections = 256
    /// Bytes buffered per direction (partial message plus out-of-order data).
    public var bufferCapacity = 8192
    /// Out-of-order pieces held per direction.
    public var maxHeldSegments = 8
    /// A connection without packets for this long (by packet timestamps, nanoseconds) is dropped.
    public var idleTimeout: Int64 = 900 * 1_000_000_000
    /// The TCP port of BGP.
    public var port: UInt16 = 179

    public init() {}
}

/// Counters of what the reassembler did.
public struct BGPStreamStatistics: Sendable, Equatable {
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
final class BGPStreamStorage {
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
struct DirectionState {
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
    /// False until a marker is found (after a gap, or when the capture began mid-session).
    var synced = false
    /// Bytes of an oversized message still to skip.
    var skipRemaining = 0
    var finished = false
    /// The capabilities of this direction's OPEN, once seen.
    var capabilities: BGPCapabilitySet?

    var heldEnd: Int { heldCount > 0 ? held[heldCount - 1].end : pending }
}

struct ConnectionSlot {
    var inUse = false
    var key: BGPStreamDirection
    var lastSeen: Int64 = 0
    var lastFrame = 0
    /// Direction 0 is `key`, direction 1 its reverse.
    var directions = DirectionPair()
    let storage: BGPStreamStorage
}

/// The two directions of a connection, as stored properties: an `InlineArray`
/// element read copies the whole array first (see `PacketLevels`).
struct DirectionPair {
    var forward = DirectionState()
    var reverse = DirectionState()

    subscript(d: Int) -> DirectionState {
        @inline(__always) get { d == 0 ? forward : reverse }
        @inline(__always) _modify {
            if d == 0 { yield &forward } else { yield &reverse }
        }
    }
}

/// Reassembles the BGP byte streams of TCP connections into messages.
///
/// Feed every TCP segment to or from the BGP port in capture order, with its
/// frame number and timestamp; whole messages (and notices about gaps) come
/// back through the non-escaping visitor, each with the frame that completed
/// it. Call `finish` after the last packet. See `ControlPlaneDecoder` for the
/// step from a `DecodedPacket` to events.
public struct BGPStreamReassembler {
    public let configuration: BGPStreamConfiguration
    public private(set) var statistics = BGPStreamStatistics()
    var slots: [ConnectionSlot] = []
    var index: [BGPStreamDirection: Int] = [:]
    var freeSlots: [Int] = []
    var lastSweep: Int64 = .min

    public init(configuration: BGPStreamConfiguration = BGPStreamConfiguration()) {
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
    public typealias Visitor = (borrowing RawSpan, BGPStreamDelivery) -> Void

    /// Feeds the TCP segment of `packet` (any level whose TCP port is the BGP
    /// port; the innermost such level) from the captured `bytes` of frame
    /// `frameNumber`. Packets without such a segment are ignored.
    public mutating func ingest(
        _ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frameNumber: Int, timestamp: Int64,
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
                    BGPStreamDirection(source: ip.source, sourcePort: t.sourcePort,
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
        _ direction: BGPStreamDirection, sequence: UInt32, flags: TCPFlags, payload: borrowing RawSpan,
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
                slots[slot].directions[d] = DirectionState()
                slots[slot].directions[d].started = true
                slots[slot].directions[d].sawSYN = true
                slots[slot].directions[d].initialSequence = sequence
                slots[slot].directions[d].base = dataSequence
                slots[slot].directions[d].synced = true
            }
        } else if !slots[slot].directions[d].started, payload.byteCount > 0 {
            // First bytes of a direction whose SYN was not captured: start here and look for a marker.
            slots[slot].directions[d].started = true
            slots[slot].directions[d].base = sequence
            slots[slot].directions[d].synced = false
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

    mutating func openSlot(_ key: BGPStreamDirection, timestamp: Int64, frame: Int, _ visit: Visitor) -> Int {
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
            slots[i].directions = DirectionPair()
        } else {
            // The only allocation: a new connection's buffers.
            i = slots.count
            slots.append(ConnectionSlot(key: key, storage: BGPStreamStorage(capacity: configuration.bufferCapacity)))
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
            notice(i, d, .incomplete(discardedBytes: st.pending), frame: frame, timestamp: timestamp, visit)
        }
        slots[i].directions[d].base = st.base &+ UInt32(truncatingIfNeeded: st.pending)
        slots[i].directions[d].pending = 0
        slots[i].directions[d].heldCount = 0
        slots[i].directions[d].skipRemaining = 0
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
                    notice(i, d, .incomplete(discardedBytes: capacity), frame: frame, timestamp: timestamp, visit)
                    rebase(i, d, by: capacity)
                    slots[i].directions[d].synced = false
                    rel -= capacity
                }
                continue
            }
            // A hole before this segment.
            if BGPHeader.looksLikeHeader(payload, at: from) {
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
                slots[i].directions[d].synced = false
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
        notice(i, d, .gap(lostBytes: first.start - st.pending, discardedBytes: st.pending),
               frame: first.frame, timestamp: first.timestamp, visit)
        slots[i].directions[d].pending = 0
        rebase(i, d, by: first.start)
        slots[i].directions[d].synced = false
        slots[i].directions[d].skipRemaining = 0
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
        notice(i, d, .gap(lostBytes: target - st.pending, discardedBytes: st.pending), frame: frame, timestamp: timestamp, visit)
        if target >= configuration.bufferCapacity {
            slots[i].directions[d].base = st.base &+ UInt32(truncatingIfNeeded: target)
            slots[i].directions[d].pending = 0
            slots[i].directions[d].heldCount = 0
        } else {
            slots[i].directions[d].pending = 0
            rebase(i, d, by: target)
        }
        slots[i].directions[d].synced = true
        slots[i].directions[d].skipRemaining = 0
    }

    /// Decodes the contiguous buffered bytes and drops what was consumed.
    mutating func consumeBuffer(_ i: Int, _ d: Int, frame: Int, timestamp: Int64, _ visit: Visitor) {
        let pending = slots[i].directions[d].pending
        guard pending > 0 else { return }
        let raw = UnsafeRawBufferPointer(start: slots[i].storage.buffer(d), count: pending)
        let used = consume(i, d, raw.bytes, frame: frame, timestamp: timestamp, visit)
        rebase(i, d, by: used)
    }

    /// Delivers the whole messages at the start of `s`; returns how many bytes were used
    /// (what is left is an unfinished message, shorter than the buffer, or up to 18 bytes
    /// that may begin a marker).
    mutating func consume(_ i: Int, _ d: Int, _ s: borrowing RawSpan, frame: Int, timestamp: Int64, _ visit: Visitor) -> Int {
        let available = s.byteCount
        var at = 0
        var skipped = 0
        while at < available {
            if slots[i].directions[d].skipRemaining > 0 {
                let n = min(slots[i].directions[d].skipRemaining, available - at)
                slots[i].directions[d].skipRemaining -= n
                at += n
                continue
            }
            if !slots[i].directions[d].synced {
                var k = at
                while k + BGPHeader.length <= available && !BGPHeader.looksLikeHeader(s, at: k) { k += 1 }
                if k + BGPHeader.length <= available {
                    skipped += k - at
                    at = k
                    slots[i].directions[d].synced = true
                } else {
                    // Keep the last 18 bytes: they may begin a marker.
                    let keep = min(BGPHeader.length - 1, available - at)
                    skipped += available - keep - at
                    at = available - keep
                    break
                }
            }
            guard available - at >= BGPHeader.length else { break }
            // In bounds: 19 bytes checked above.
            let length = Int(s.u16(at + 16))
            if !BGPHeader.hasMarker(s, at: at) || length < BGPHeader.length {
                let stop = DecodeStop(.bgp, at: at, BGPHeader.hasMarker(s, at: at) ? .badLength(field: UInt32(length)) : .badField(0))
                statistics.badHeaders += 1
                notice(i, d, .badHeader(stop), frame: frame, timestamp: timestamp, visit)
                slots[i].directions[d].synced = false
                at += 1
                continue
            }
            if length > available - at {
                if length > configuration.bufferCapacity {
                    statistics.oversizedMessages += 1
                    notice(i, d, .oversized(length: length), frame: frame, timestamp: timestamp, visit)
                    slots[i].directions[d].skipRemaining = length
                    continue
                }
                break
            }
            // In bounds: length ≤ available - at checked above.
            let message = s.extracting(at..<(at + length))
            // In bounds: 19 bytes checked above.
            let type = BGPMessageType(rawValue: s.u8(at + 18))
            if type == .open, let summary = try? BGPOpenSummary.parse(message, BGPHeader(offset: 0, length: length, type: type)) {
                slots[i].directions[d].capabilities = summary.capabilities
            }
            statistics.messages += 1
            visit(message, delivery(i, d, .message(type), frame: frame, timestamp: timestamp))
            at += length
        }
        if skipped > 0 {
            statistics.resynchronisations += 1
            notice(i, d, .resynchronised(skippedBytes: skipped), frame: frame, timestamp: timestamp, visit)
        }
        return at
    }

    func delivery(_ i: Int, _ d: Int, _ kind: BGPStreamDelivery.Kind, frame: Int, timestamp: Int64) -> BGPStreamDelivery {
        let key = slots[i].key
        return BGPStreamDelivery(
            kind: kind, frame: frame, timestamp: timestamp, direction: d == 0 ? key : key.reversed,
            session: sessionOptions(i, d))
    }

    /// What the OPENs seen so far say about messages sent in direction `d`.
    func sessionOptions(_ i: Int, _ d: Int) -> BGPSessionOptions {
        let sender = slots[i].directions[d].capabilities, receiver = slots[i].directions[1 - d].capabilities
        switch (sender, receiver) {
        case let (s?, r?): return .negotiated(sender: s, receiver: r)
        case let (s?, nil):
            return BGPSessionOptions(
                fourOctetAS: s.contains(.fourOctetAS) ? nil : false,
                addPathIPv4: s.contains(.addPathIPv4Send) ? nil : false,
                addPathIPv6: s.contains(.addPathIPv6Send) ? nil : false)
        case let (nil, r?):
            return BGPSessionOptions(
                fourOctetAS: r.contains(.fourOctetAS) ? nil : false,
                addPathIPv4: r.contains(.addPathIPv4Receive) ? nil : false,
                addPathIPv6: r.contains(.addPathIPv6Receive) ? nil : false)
        default: return .unknown
        }
    }

    func notice(_ i: Int, _ d: Int, _ n: BGPStreamNotice, frame: Int, timestamp: Int64, _ visit: Visitor) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        visit(empty.bytes, delivery(i, d, .notice(n), frame: frame, timestamp: timestamp))
    }
}
