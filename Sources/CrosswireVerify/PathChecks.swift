// path.delivery: packets seen leaving one host arrive at the other host's capture point.

import CrosswireVerdict

/// Delivery between two points of one wire, one direction between two hosts.
struct DeliveryRow {
    var from: Int
    var to: Int
    /// The point nearer the sender, and the one nearer the receiver.
    var upstream: CapturePointID
    var downstream: CapturePointID
    /// Packets seen upstream while the downstream point was capturing, and those of them never seen downstream.
    var sent = 0
    var lost = 0
    /// Packets seen downstream only: the upstream capture missed them (not loss).
    var unseenUpstream = 0
    var firstLost: [FrameRef] = []
    /// Sent and lost per kind of traffic (outermost protocol and service port), in the order first met.
    var kinds: [(kind: DeliveryKind, sent: Int, lost: Int)] = []
}

/// What a class of packets is, as the outermost headers say: its protocol and service port.
struct DeliveryKind: Equatable {
    var protocolNumber: UInt8
    var port: UInt16
}

struct PathChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [pathDelivery()]) }

    /// Which point of a pair is nearer the sender of class `c`: the one the packets reach first.
    /// The least delay between the points, compared with the other direction's (their clock offset
    /// cancels out), says it; when the timestamps cannot tell, the point that saw packets the other
    /// did not is upstream (a packet cannot reach the far point without passing the near one).
    func lowIsUpstream(_ pair: DeliveryPair) -> Bool {
        let d = findings.delivery
        let reverse = d.classes[Int(pair.classIndex)].reverse
        let back = reverse < 0 ? nil : d.pairs.first { $0.classIndex == reverse && $0.low == pair.low && $0.high == pair.high }
        if pair.both > 0 {
            let there = pair.minimumDelay
            if let back, back.both > 0 {
                if there != back.minimumDelay { return there > back.minimumDelay }
            } else if there != 0 {
                return there > 0
            }
        }
        if pair.onlyLow != pair.onlyHigh { return pair.onlyLow > pair.onlyHigh }
        return true
    }

    /// Per host pair, direction and pair of points: sent, lost, first lost frames.
    func rows() -> [DeliveryRow] {
        var rows: [DeliveryRow] = []
        for pair in findings.delivery.pairs where pair.both + pair.onlyLow + pair.onlyHigh > 0 {
            let c = findings.delivery.classes[Int(pair.classIndex)]
            let low = CapturePointID(index: pair.low), high = CapturePointID(index: pair.high)
            let lowUp = lowIsUpstream(pair)
            let (up, down) = lowUp ? (low, high) : (high, low)
            let lost = lowUp ? pair.onlyLow : pair.onlyHigh
            let unseen = lowUp ? pair.onlyHigh : pair.onlyLow
            let frames = lowUp ? pair.firstOnlyLow : pair.firstOnlyHigh
            let k = rows.firstIndex { $0.from == c.from && $0.to == c.to && $0.upstream == up && $0.downstream == down }
                ?? { rows.append(DeliveryRow(from: c.from, to: c.to, upstream: up, downstream: down)); return rows.count - 1 }()
            rows[k].sent += pair.both + lost
            rows[k].lost += lost
            rows[k].unseenUpstream += unseen
            rows[k].firstLost = Array((rows[k].firstLost + frames).sorted().prefix(DeliveryAnalyser.evidenceLimit))
            let kind = DeliveryKind(protocolNumber: c.protocolNumber, port: c.port)
            if let x = rows[k].kinds.firstIndex(where: { $0.kind == kind }) {
                rows[k].kinds[x].sent += pair.both + lost
                rows[k].kinds[x].lost += lost
            } else {
                rows[k].kinds.append((kind, pair.both + lost, lost))
            }
        }
        return rows.sorted { ($0.from, $0.to, $0.upstream, $0.downstream) < ($1.from, $1.to, $1.upstream, $1.downstream) }
    }

    /// path.delivery: per host pair, direction and pair of points on one wire, what was lost.
    struct Delivery: CheckOutcome {
        var id: CheckID { .pathDelivery }
        var status: CheckStatus { rows.isEmpty ? .skip : failing.isEmpty ? .pass : .fail }
        var rows: [DeliveryRow]
        var maxLoss: Double
        var failing: [DeliveryRow] { rows.filter { Double($0.lost) > maxLoss * Double($0.sent) } }
        /// The lost frames of the failing rows.
        var evidence = EvidenceList<(from: Int, to: Int, downstream: CapturePointID)>()
    }

    func pathDelivery() -> Delivery {
        var out = Delivery(rows: rows().filter { $0.sent > 0 }, maxLoss: plan.transport.maxLoss ?? 0)
        for r in out.failing {
            for f in r.firstLost { out.evidence.add(f, (r.from, r.to, r.downstream)) }
        }
        return out
    }
}
