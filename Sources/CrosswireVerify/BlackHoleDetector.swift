// The path-MTU black hole: large TCP segments sent again and again and never
// acknowledged, while small ones get through.

import CrosswireDecoder

/// A large TCP segment sent `sends` times, the last at `last`, never acknowledged.
struct BlackHoleNote: Sendable {
    var sends: Int
    var last: FrameRef
}

/// Large TCP segments sent again and again and never acknowledged.
struct BlackHoleFindings {
    var blackHoles = EvidenceList<BlackHoleNote>()
    var segmentEvictions = 0
}

struct BlackHoleDetector: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, BlackHoleFindings> { \.blackHoles }
    /// Segments larger than this many payload bytes are watched.
    static let minimumPayload = 576
    /// Sends of one segment that make it suspicious.
    static let sendsThreshold = 3

    struct Segment {
        var flow: UInt64
        var reverseFlow: UInt64
        var end: UInt32
        var sends: UInt16
        var first: FrameRef
        var last: FrameRef
        /// The IPv4 id of the last transmission (0: none to tell copies apart).
        var lastID: UInt32
    }

    var segments = FixedHashTable<Segment>(capacity: 1 << 14)
    /// The highest acknowledgement seen per flow direction.
    var highestAck = FixedHashTable<UInt32>(capacity: 1 << 14)

    init(topology _: Topology) {}

    static func flowKey(_ src: IPAddress, _ sp: UInt16, _ dst: IPAddress, _ dp: UInt16) -> UInt64 {
        var h = KeyHasher()
        h.add(IPAddressKey(src)); h.add(UInt64(sp) << 16 | UInt64(dp)); h.add(IPAddressKey(dst))
        return h.value
    }

    /// Every large segment counts (a resend looks like any other); other segments only raise the highest ACK.
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool {
        guard let i = frame.flow.innermostIPLevel else { return true }
        let t = p.levels[i].transport
        return t.kind == .tcp && t.payloadLength > Self.minimumPayload
    }

    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        guard let ack = counts.acknowledgement else { return }
        let e = flow.inner
        noteAcknowledgement(ack, flow: Self.flowKey(e.source, e.sourcePort, e.destination, e.destinationPort))
    }

    /// Keeps the highest acknowledgement per flow direction (serial-number order, RFC 1982).
    private mutating func noteAcknowledgement(_ ack: UInt32, flow: UInt64) {
        highestAck.update(flow) { stored in
            if let s = stored, Int32(bitPattern: ack &- s) <= 0 { return }
            stored = ack
        }
    }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        guard let i = frame.innermostIPLevel(of: p), let ip = p.levels[i].ip else { return }
        let t = p.levels[i].transport
        guard t.kind == .tcp, t.headerLength > 0 else { return }
        let flow = Self.flowKey(ip.source, t.sourcePort, ip.destination, t.destinationPort)
        if t.tcpFlags.contains(.ack) { noteAcknowledgement(t.acknowledgement, flow: flow) }
        guard t.payloadLength > Self.minimumPayload else { return }
        let reverse = Self.flowKey(ip.destination, t.destinationPort, ip.source, t.sourcePort)
        // Sends are counted per capture point: one packet seen at three points is one send.
        var key = KeyHasher()
        key.add(flow); key.add(UInt64(t.sequence) << 16 | UInt64(t.payloadLength & 0xFFFF))
        key.add(UInt64(UInt32(bitPattern: frame.point.index)))
        let end = t.sequence &+ UInt32(truncatingIfNeeded: t.payloadLength)
        // A retransmission is a new IPv4 packet (a new id); the same id again at one point is the
        // packet seen twice (a bridge port and the bridge, say), not sent twice. Id 0 tells nothing (RFC 6864).
        let id = ip.version == 4 ? ip.identification : 0
        segments.update(key.value) { stored in
            if var s = stored {
                if id != 0, id == s.lastID { return }
                s.sends &+= 1
                s.last = ref
                s.lastID = id
                stored = s
            } else {
                stored = Segment(flow: flow, reverseFlow: reverse, end: end, sends: 1, first: ref, last: ref, lastID: id)
            }
        }
    }

    /// Segments sent 3+ times that the other side never acknowledged.
    func finish() -> BlackHoleFindings {
        BlackHoleFindings(blackHoles: blackHoles(), segmentEvictions: segments.evictions)
    }

    func blackHoles() -> EvidenceList<BlackHoleNote> {
        var list = EvidenceList<BlackHoleNote>()
        segments.forEach { _, s in
            guard s.sends >= Self.sendsThreshold else { return }
            if let ack = highestAck.value(for: s.reverseFlow), Int32(bitPattern: ack &- s.end) >= 0 { return }
            list.add(s.first, BlackHoleNote(sends: Int(s.sends), last: s.last))
        }
        return list
    }
}
