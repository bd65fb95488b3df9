// path.delivery: packets seen leaving one host arrive at the other host's capture point.

import CrosswireDecoder
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
}

struct PathChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [pathDelivery()]) }

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
        }
        return rows.sorted { ($0.from, $0.to, $0.upstream, $0.downstream) < ($1.from, $1.to, $1.upstream, $1.downstream) }
    }

    func sentence(_ r: DeliveryRow) -> String {
        let name = { (n: Int) in self.topology.nodes[n].name }
        let share = NumberFormat.percent(Double(r.lost) / Double(max(r.sent, 1)))
        let first = r.firstLost.first.map { "; first lost: \(place($0))" } ?? ""
        return "\(name(r.from)) → \(name(r.to)): \(r.lost) of \(count(r.sent, "packet")) seen at \(shortName(r.upstream)) never reached \(shortName(r.downstream)) (\(share))\(first)"
    }

    func pathDelivery() -> CheckResult {
        let maxLoss = plan.transport.maxLoss ?? 0
        let expected = "every packet between hosts seen at one capture point of a wire is seen at the other (lost share at most \(NumberFormat.percent(maxLoss)))"
        let rows = rows().filter { $0.sent > 0 }
        guard !rows.isEmpty else {
            return result(
                .pathDelivery, .skip,
                "no packet between hosts seen at two capture points of one wire (a capture at each end is needed)",
                expected: expected)
        }
        let failing = rows.filter { Double($0.lost) > maxLoss * Double($0.sent) }
        var observed = rows.map(sentence)
        for r in rows where r.unseenUpstream > 0 {
            observed.append(
                "\(count(r.unseenUpstream, "packet")) seen at \(shortName(r.downstream)) but not at \(shortName(r.upstream)): that capture missed them")
        }
        if failing.isEmpty {
            let sent = rows.reduce(0) { $0 + $1.sent }, lost = rows.reduce(0) { $0 + $1.lost }
            let summary = lost == 0
                ? "\(count(sent, "packet")) between hosts seen at both ends of \(count(rows.count, "wire direction")), none lost"
                : "\(lost) of \(count(sent, "packet")) between hosts lost, within transport.max_loss \(NumberFormat.percent(maxLoss))"
            return result(.pathDelivery, .pass, summary, expected: expected, observed: observed)
        }
        var evidence = EvidenceList()
        for r in failing {
            for f in r.firstLost {
                evidence.add(f, "\(topology.nodes[r.from].name) → \(topology.nodes[r.to].name): never seen at \(shortName(r.downstream))")
            }
        }
        return result(.pathDelivery, .fail, sentence(failing[0]), expected: expected, observed: observed, evidence: evidence)
    }
}
