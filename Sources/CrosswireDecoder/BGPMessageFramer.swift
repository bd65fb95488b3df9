// The BGP message framer: cuts BGP messages (RFC 4271 §4.1: a 16-byte marker,
// a 2-byte length of 19 to 4096, or 65535 with RFC 8654, and a type) out of
// the in-order bytes TCPByteStream.swift hands it, resynchronising on the
// next marker after lost bytes, and remembers each direction's OPEN
// capabilities for the decoding of later messages.

/// Reassembles the BGP byte streams of TCP connections into messages: the TCP
/// byte stream with the BGP framer. A concrete type, so that callers in other
/// modules run code specialised here, not the generic stream through metadata.
public struct BGPStreamReassembler {
    var stream: TCPStreamReassembler<BGPMessageFramer>

    public init(configuration: TCPStreamConfiguration = TCPStreamConfiguration()) {
        stream = TCPStreamReassembler(configuration: configuration)
    }

    /// The visitor: a message's bytes (empty for a notice) and what they are.
    public typealias Visitor = (borrowing RawSpan, BGPStreamDelivery) -> Void

    public var configuration: TCPStreamConfiguration { stream.configuration }
    public var statistics: TCPStreamStatistics { stream.statistics }
    /// Connections currently tracked.
    public var connectionCount: Int { stream.connectionCount }

    /// See `TCPStreamReassembler.ingest(_:bytes:frameNumber:timestamp:_:)`.
    public mutating func ingest(
        _ packet: PacketView, bytes: borrowing RawSpan, frameNumber: Int, timestamp: Int64, _ visit: Visitor
    ) {
        stream.ingest(packet, bytes: bytes, frameNumber: frameNumber, timestamp: timestamp, visit)
    }

    /// See `TCPStreamReassembler.ingest(_:sequence:flags:payload:frame:timestamp:_:)`.
    public mutating func ingest(
        _ direction: TCPStreamDirection, sequence: UInt32, flags: TCPFlags, payload: borrowing RawSpan, frame: Int,
        timestamp: Int64, _ visit: Visitor
    ) {
        stream.ingest(direction, sequence: sequence, flags: flags, payload: payload, frame: frame, timestamp: timestamp, visit)
    }

    /// Ends every connection (after the last packet).
    public mutating func finish(_ visit: Visitor) { stream.finish(visit) }

    /// Drops connections idle for longer than the configured timeout at `now`.
    public mutating func expireIdle(now: Int64, _ visit: Visitor) { stream.expireIdle(now: now, visit) }
}

public typealias BGPStreamDirection = TCPStreamDirection
public typealias BGPStreamConfiguration = TCPStreamConfiguration

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
    public var direction: TCPStreamDirection
    /// What the session negotiated for messages in this direction, as far as the OPENs were seen.
    public var session: BGPSessionOptions
}

/// Frames BGP messages out of one direction of a TCP stream.
public enum BGPMessageFramer: TCPStreamFramer {
    /// Where the framer is in one direction's messages.
    public struct Direction: Sendable, BitwiseCopyable {
        /// False until a marker is found (after a gap, or when the capture began mid-session).
        var synced = false
        /// Bytes of an oversized message still to skip.
        var skipRemaining = 0
        /// The capabilities of this direction's OPEN, once seen.
        var capabilities: BGPCapabilitySet?
    }

    public static var fresh: Direction { Direction() }

    public static func restart(_ direction: inout Direction, atBoundary: Bool) {
        direction.synced = atBoundary
        direction.skipRemaining = 0
    }

    public static func loseSync(_ direction: inout Direction) { direction.synced = false }

    public static func endOfData(_ direction: inout Direction) { direction.skipRemaining = 0 }

    public static func looksLikeMessageStart(_ bytes: borrowing RawSpan, at offset: Int) -> Bool {
        BGPHeader.looksLikeHeader(bytes, at: offset)
    }

    public static func delivery(
        _ loss: TCPStreamLoss, sender: Direction, receiver: Direction, at position: TCPStreamPosition
    ) -> BGPStreamDelivery {
        let notice: BGPStreamNotice
        switch loss {
        case let .gap(lost, discarded): notice = .gap(lostBytes: lost, discardedBytes: discarded)
        case let .incomplete(discarded): notice = .incomplete(discardedBytes: discarded)
        }
        return delivery(.notice(notice), sender: sender, receiver: receiver, at: position)
    }

    static func delivery(
        _ kind: BGPStreamDelivery.Kind, sender: Direction, receiver: Direction, at position: TCPStreamPosition
    ) -> BGPStreamDelivery {
        BGPStreamDelivery(
            kind: kind, frame: position.frame, timestamp: position.timestamp, direction: position.direction,
            session: sessionOptions(sender: sender.capabilities, receiver: receiver.capabilities))
    }

    static func notice(
        _ n: BGPStreamNotice, sender: Direction, receiver: Direction, at position: TCPStreamPosition,
        _ visit: (borrowing RawSpan, BGPStreamDelivery) -> Void
    ) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        visit(empty.bytes, delivery(.notice(n), sender: sender, receiver: receiver, at: position))
    }

    /// Delivers the whole messages at the start of `s`; returns how many bytes were used
    /// (what is left is an unfinished message, shorter than the buffer, or up to 18 bytes
    /// that may begin a marker).
    public static func frame(
        _ s: borrowing RawSpan, sender: inout Direction, receiver: Direction, at position: TCPStreamPosition,
        bufferCapacity: Int, statistics: inout TCPStreamStatistics, _ visit: (borrowing RawSpan, BGPStreamDelivery) -> Void
    ) -> Int {
        let available = s.byteCount
        var at = 0
        var skipped = 0
        while at < available {
            if sender.skipRemaining > 0 {
                let n = min(sender.skipRemaining, available - at)
                sender.skipRemaining -= n
                at += n
                continue
            }
            if !sender.synced {
                var k = at
                while k + BGPHeader.length <= available && !BGPHeader.looksLikeHeader(s, at: k) { k += 1 }
                if k + BGPHeader.length <= available {
                    skipped += k - at
                    at = k
                    sender.synced = true
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
                notice(.badHeader(stop), sender: sender, receiver: receiver, at: position, visit)
                sender.synced = false
                at += 1
                continue
            }
            if length > available - at {
                if length > bufferCapacity {
                    statistics.oversizedMessages += 1
                    notice(.oversized(length: length), sender: sender, receiver: receiver, at: position, visit)
                    sender.skipRemaining = length
                    continue
                }
                break
            }
            // In bounds: length ≤ available - at checked above.
            let message = s.extracting(at..<(at + length))
            // In bounds: 19 bytes checked above.
            let type = BGPMessageType(rawValue: s.u8(at + 18))
            if type == .open, let summary = try? BGPOpenSummary.parse(message, BGPHeader(offset: 0, length: length, type: type)) {
                sender.capabilities = summary.capabilities
            }
            statistics.messages += 1
            visit(message, delivery(.message(type), sender: sender, receiver: receiver, at: position))
            at += length
        }
        if skipped > 0 {
            statistics.resynchronisations += 1
            notice(.resynchronised(skippedBytes: skipped), sender: sender, receiver: receiver, at: position, visit)
        }
        return at
    }

    /// What the OPENs seen so far say about messages from `sender` to `receiver`.
    static func sessionOptions(sender: BGPCapabilitySet?, receiver: BGPCapabilitySet?) -> BGPSessionOptions {
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
}
