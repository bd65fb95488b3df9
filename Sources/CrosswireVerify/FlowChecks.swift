// flow.answered: cross-host container connections are answered.

import CrosswireDecoder
import CrosswireVerdict

struct FlowChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [flowAnswered()]) }

    /// A request still unanswered this long after it, at the point that saw it, was not going to be answered
    /// (a SYN-ACK or echo reply takes milliseconds; Linux resends an unanswered SYN after 1 s).
    static let patience: Int64 = 3_000_000_000

    enum Outcome { case answered, refused, answerLost, unanswered }

    /// How an opening ended, as the requester's side saw it.
    func outcome(_ o: Opening) -> Outcome {
        if o.answeredToRequester { return .answered }
        if o.resetToRequester { return .refused }
        return o.answerPoints != 0 ? .answerLost : .unanswered
    }

    /// Judged: answered or refused on the requester's side; or else resent (or its point went on
    /// long enough after it) where a point on the requester's side sees the requester's incoming
    /// traffic, so an answer would have shown there.
    func isJudged(_ o: Opening) -> Bool {
        if o.answeredToRequester || o.resetToRequester { return true }
        let points = findings.flows.points
        let i = Int(o.firstPoint.index)
        guard i >= 0, i < points.count, o.requests >= 2 || points[i].lastTime - o.firstTime >= Self.patience else { return false }
        return points.indices.contains { j in
            o.nearestPoints & FlowAnalyser.bit(CapturePointID(index: Int32(j))) != 0
                && points[j].seesAnswers(to: o.requesterMAC, requestSent: o.requestSent)
        }
    }

    /// The points a capture of this run names, by bit.
    func points(_ mask: UInt64) -> [CapturePointID] {
        (0..<min(findings.points.count, 64)).filter { mask & (1 << UInt64($0)) != 0 }.map { CapturePointID(index: Int32($0)) }
    }

    /// Points that saw cross-host container traffic between the two hosts, either way, but not this request.
    func missedBy(_ o: Opening, _ a: Int, _ b: Int) -> [CapturePointID] {
        let pairs: Set<UInt32> = [UInt32(a) << 16 | UInt32(b), UInt32(b) << 16 | UInt32(a)]
        let mask = findings.flows.points.indices.reduce(UInt64(0)) { mask, i in
            findings.flows.points[i].pairs.contains(where: pairs.contains) ? mask | FlowAnalyser.bit(CapturePointID(index: Int32(i))) : mask
        }
        return points(mask & ~o.requestPoints)
    }

    /// One connection not answered, as the requester's side saw it.
    struct Unanswered {
        var endpoints: Endpoints
        var outcome: Outcome
        var requests: Int
        /// Where the request was seen, and where traffic between the two hosts was but the request was not.
        var seenAt: [CapturePointID], missedBy: [CapturePointID]
        /// Where the answer was seen, and the MAC (and node) it was sent to.
        var answeredAt: [CapturePointID]
        var answerMAC: MACAddress?, answerNode: Int?
        /// The request reached the other side and nothing answered.
        var arrived: Bool
        var requester: Int, answerer: Int
        /// The answerer's planned next hop back to the requester.
        var plannedReturn: IPAddress?
    }

    /// What one cited frame is.
    enum Note { case refused(Endpoints), request(Endpoints, answeredAt: [CapturePointID]), answer(Endpoints), unanswered(Endpoints) }

    /// flow.answered: connections opened and judged, and those not answered.
    struct Answered: CheckOutcome {
        var id: CheckID { .flowAnswered }
        var status: CheckStatus { judged == 0 ? .skip : unanswered.isEmpty ? .pass : .fail }
        var opened: Int, judged = 0
        var unanswered: [Unanswered] = []
        /// Hosts whose containers answered none of the connections opened to them, with how many.
        var answeredNone: [(host: Int, opened: Int)] = []
        var failed = 0
        var evidence = EvidenceList<Note>()
    }

    func flowAnswered() -> Answered {
        let openings = findings.flows.openings
        var out = Answered(opened: openings.count)
        let judged = openings.filter(isJudged)
        out.judged = judged.count
        var perSubnet: [Int: (opened: Int, answered: Int)] = [:]
        for o in judged {
            guard let a = topology.owner(of: o.endpoints.source), let b = topology.owner(of: o.endpoints.destination) else { continue }
            let result = outcome(o)
            perSubnet[b, default: (0, 0)].opened += 1
            if result == .answered { perSubnet[b]!.answered += 1; continue }
            let missed = missedBy(o, a, b)
            let answeredAt = points(o.answerPoints)
            out.unanswered.append(Unanswered(
                endpoints: o.endpoints, outcome: result, requests: Int(o.requests), seenAt: points(o.requestPoints), missedBy: missed,
                answeredAt: answeredAt, answerMAC: o.answerMAC, answerNode: o.answerMAC.flatMap(node(sendingFrom:)),
                arrived: missed.isEmpty && o.requestPoints.nonzeroBitCount > 1, requester: a, answerer: b,
                plannedReturn: plan.plannedNextHop(from: topology.nodes[b].name, to: o.endpoints.source)))
            switch result {
            case .refused:
                out.evidence.add(o.first, .refused(o.endpoints))
            case .answerLost:
                out.evidence.add(o.first, .request(o.endpoints, answeredAt: answeredAt))
                if let answer = o.firstAnswer { out.evidence.add(answer, .answer(o.endpoints)) }
            case .unanswered:
                out.evidence.add(o.first, .unanswered(o.endpoints))
            case .answered:
                break
            }
        }
        out.answeredNone = perSubnet.sorted(by: { $0.key < $1.key }).filter { $0.value.answered == 0 }.map { ($0.key, $0.value.opened) }
        out.failed = perSubnet.values.reduce(0) { $0 + $1.opened - $1.answered }
        return out
    }
}
