// Connections containers open across hosts (TCP SYN, ICMP echo request) and
// their answers (SYN-ACK, RST, echo reply), with the capture points that saw
// each: flow.answered tells "never arrived" from "arrived, never answered"
// from "answered, the answer never came back".

import CrosswireDecoder

/// One connection opened by a container towards another host's container.
struct Opening {
    /// As the requester sent it (echo: the identifier in both ports).
    var endpoints: Endpoints
    /// The sighting nearest the requester: the highest TTL (each router lowers it), then the earliest.
    var first: FrameRef
    var firstTime: Int64
    var firstPoint: CapturePointID
    var ttl: UInt8
    /// Points that saw the request with that TTL: the requester's side of the first link.
    var nearestPoints: UInt64
    /// The request's link source there: an answer reaches the requester's side when it is sent to it.
    var requesterMAC: MACAddress?
    /// SLL: the requester's side saw the request as sent by the host (so answers come in as received).
    var requestSent: Bool
    /// Requests sent, counted at the first point (one packet seen at two points is one request).
    var requests: UInt32 = 1
    /// Points (bit = point index, 63 = the rest) where a request and an answer were seen.
    var requestPoints: UInt64
    var answerPoints: UInt64 = 0
    /// An answer (SYN-ACK, echo reply) or a reset seen on the requester's side, sent to the requester.
    var answeredToRequester = false
    var resetToRequester = false
    var firstAnswer: FrameRef?
    /// Where that first answer was sent (its link destination).
    var answerMAC: MACAddress?
}

/// What a capture point saw, for deciding whether it covers a requester's answers.
struct PointCoverage {
    var lastTime: Int64 = .min
    /// The frame `lastTime` is from (frames of one point are read in order).
    var lastFrame: Int32 = 0
    /// Link destinations seen (up to `limit`; `many` beyond): a point that saw frames to a MAC sees its incoming traffic.
    var destinations: [MACAddress] = []
    var many = false
    /// SLL records name no destination, only whether the host sent or received each packet.
    var sawSent = false
    var sawReceived = false
    /// Host pairs (source owner << 16 | destination owner) of cross-host container packets seen here.
    var pairs: [UInt32] = []
    static let limit = 32

    /// True when the point sees the traffic coming back to a requester: frames to its MAC, or
    /// (SLL) frames in the other direction than its request.
    func seesAnswers(to mac: MACAddress?, requestSent: Bool) -> Bool {
        guard let mac else { return requestSent ? sawReceived : sawSent }
        return many || destinations.contains(mac)
    }
}

struct FlowFindings {
    var openings: [Opening] = []
    var openingEvictions = 0
    var points: [PointCoverage] = []
}

struct FlowAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, FlowFindings> { \.flows }
    let topology: Topology
    var table = FixedHashTable<Opening>(capacity: 1 << 14)
    var points: [PointCoverage] = []

    init(topology: Topology) { self.topology = topology }

    static func bit(_ p: CapturePointID) -> UInt64 { 1 << UInt64(min(max(p.index, 0), 63)) }

    static func key(_ source: IPAddress, _ destination: IPAddress, _ sp: UInt16, _ dp: UInt16, _ proto: UInt8) -> UInt64 {
        var h = KeyHasher()
        h.add(IPAddressKey(source)); h.add(IPAddressKey(destination))
        h.add(UInt64(sp) << 24 | UInt64(dp) << 8 | UInt64(proto == 58 ? 1 : proto))
        return h.value
    }

    /// A flow's first packet (its point's MACs and host pairs), and what opens, answers or resets.
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool {
        guard frame.flow.position > 1, let i = frame.flow.innermostIPLevel else { return true }
        let t = p.levels[i].transport
        return (t.kind == .tcp && !t.tcpFlags.isDisjoint(with: TCPFlags.syn.union(.rst))) || t.kind == .icmp || t.kind == .icmpv6
    }

    /// Only the time of the point's last frame: whichever of its flows it belongs to.
    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        let index = Int(flow.ref.point.index)
        guard index >= 0, index < points.count, counts.last.frame > points[index].lastFrame else { return }
        points[index].lastTime = counts.lastTime.nanoseconds
        points[index].lastFrame = counts.last.frame
    }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        let index = Int(frame.point.index)
        guard index >= 0 else { return }
        if index >= points.count { points.append(contentsOf: repeatElement(PointCoverage(), count: index + 1 - points.count)) }
        points[index].lastTime = frame.time.nanoseconds
        points[index].lastFrame = frame.ref.frame
        let destinationMAC = p.levels[0].ethernet?.destination
        if let mac = destinationMAC, !points[index].many, !points[index].destinations.contains(mac) {
            if points[index].destinations.count < PointCoverage.limit { points[index].destinations.append(mac) } else { points[index].many = true }
        }
        let cooked = p.levels[0].cooked
        if let cooked { if cooked.packetType == 4 { points[index].sawSent = true } else { points[index].sawReceived = true } }

        guard let i = frame.innermostIPLevel(of: p), let ip = p.levels[i].ip, let a = topology.owner(of: ip.source),
            let b = topology.owner(of: ip.destination), a != b
        else { return }
        let pair = UInt32(a) << 16 | UInt32(b)
        if !points[index].pairs.contains(pair), points[index].pairs.count < PointCoverage.limit { points[index].pairs.append(pair) }
        let t = p.levels[i].transport
        let isRequest: Bool, isAnswer: Bool, isReset: Bool
        switch t.kind {
        case .tcp:
            isRequest = t.tcpFlags.contains(.syn) && !t.tcpFlags.contains(.ack)
            isReset = t.tcpFlags.contains(.rst)
            isAnswer = t.tcpFlags.contains(.syn) && t.tcpFlags.contains(.ack)
        case .icmp, .icmpv6:
            isRequest = t.icmpType == 8 || t.icmpType == 128
            isAnswer = t.icmpType == 0 || t.icmpType == 129
            isReset = false
        default:
            return
        }
        guard isRequest || isAnswer || isReset else { return }
        let e = Endpoints(p, level: i)
        let bit = Self.bit(frame.point), time = frame.time.nanoseconds
        let ttl = ip.ttl, point = frame.point, ref = frame.ref
        if isRequest {
            // SLL names only the source; a cooked record's MAC is still the sender's.
            let mac = destinationMAC == nil ? nil : p.levels[0].ethernet?.source
            let sent = cooked?.packetType == 4
            table.update(Self.key(e.source, e.destination, e.sourcePort, e.destinationPort, e.protocolNumber)) { stored in
                guard var o = stored else {
                    stored = Opening(
                        endpoints: e, first: ref, firstTime: time, firstPoint: point, ttl: ttl, nearestPoints: bit,
                        requesterMAC: mac, requestSent: sent, requestPoints: bit)
                    return
                }
                o.requestPoints |= bit
                if ttl > o.ttl {
                    (o.first, o.firstTime, o.firstPoint, o.ttl, o.nearestPoints) = (ref, time, point, ttl, bit)
                    (o.requesterMAC, o.requestSent, o.requests) = (mac, sent, 1)
                } else if ttl == o.ttl {
                    o.nearestPoints |= bit
                    if o.firstPoint == point { o.requests &+= 1 }
                }
                stored = o
            }
        } else if isAnswer || isReset {
            // The answer's reverse is the request's key.
            table.update(Self.key(e.destination, e.source, e.destinationPort, e.sourcePort, e.protocolNumber)) { stored in
                guard var o = stored else { return }
                let toRequester = o.nearestPoints & bit != 0
                    && (o.requesterMAC == nil ? (cooked?.packetType == 4) != o.requestSent : destinationMAC == o.requesterMAC)
                if isAnswer {
                    o.answerPoints |= bit
                    if o.firstAnswer == nil { (o.firstAnswer, o.answerMAC) = (ref, destinationMAC) }
                    if toRequester { o.answeredToRequester = true }
                } else if toRequester {
                    o.resetToRequester = true
                }
                stored = o
            }
        }
    }

    func finish() -> FlowFindings {
        var openings: [Opening] = []
        table.forEach { _, o in openings.append(o) }
        openings.sort { $0.first < $1.first }
        return FlowFindings(openings: openings, openingEvictions: table.evictions, points: points)
    }
}
