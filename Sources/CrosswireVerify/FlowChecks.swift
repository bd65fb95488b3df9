// flow.answered: cross-host container connections are answered.

import CrosswireDecoder
import CrosswireVerdict

struct FlowChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [flowAnswered()]) }

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
    func pointNames(_ mask: UInt64) -> [String] {
        (0..<min(findings.points.count, 64)).filter { mask & (1 << UInt64($0)) != 0 }.map { shortName(CapturePointID(index: Int32($0))) }
    }

    /// Points that saw cross-host container traffic between the two hosts, either way, but not this request.
    func missedBy(_ o: Opening, _ a: Int, _ b: Int) -> [String] {
        let pairs: Set<UInt32> = [UInt32(a) << 16 | UInt32(b), UInt32(b) << 16 | UInt32(a)]
        let mask = findings.flows.points.indices.reduce(UInt64(0)) { mask, i in
            findings.flows.points[i].pairs.contains(where: pairs.contains) ? mask | FlowAnalyser.bit(CapturePointID(index: Int32(i))) : mask
        }
        return pointNames(mask & ~o.requestPoints)
    }

    func flowAnswered() -> CheckResult {
        let expected = "every connection a container opens to another host's container (TCP SYN, echo request) is answered where the requester's side is captured"
        let openings = findings.flows.openings
        guard !openings.isEmpty else {
            return result(.flowAnswered, .skip, "no cross-host container connection opened (TCP SYN or echo request)", expected: expected)
        }
        let judged = openings.filter(isJudged)
        guard !judged.isEmpty else {
            return result(
                .flowAnswered, .skip,
                "\(count(openings.count, "cross-host connection")) opened, none judged: each seen once near the end of its capture point, or at a point that does not see the requester's incoming traffic",
                expected: expected)
        }
        var bad = EvidenceList(), lines: [String] = []
        var perSubnet: [Int: (opened: Int, answered: Int)] = [:]
        for o in judged {
            guard let a = topology.owner(of: o.endpoints.source), let b = topology.owner(of: o.endpoints.destination) else { continue }
            let result = outcome(o)
            perSubnet[b, default: (0, 0)].opened += 1
            if result == .answered { perSubnet[b]!.answered += 1; continue }
            let what = o.endpoints.isICMP ? "\(count(Int(o.requests), "echo request"))" : "\(count(Int(o.requests), "SYN"))"
            let seen = "seen at " + pointNames(o.requestPoints).joined(separator: ", ")
            let missed = missedBy(o, a, b)
            let notSeen = missed.isEmpty ? "" : ", not at " + missed.joined(separator: ", ")
            let flow = "\(o.endpoints.sourceText) → \(o.endpoints.destinationText) (\(o.endpoints.protocolText))"
            switch result {
            case .refused:
                lines.append("\(flow): \(what), refused (RST); \(seen)")
                bad.add(o.first, "\(flow): refused by RST")
            case .answerLost:
                let at = pointNames(o.answerPoints).joined(separator: ", ")
                let to = o.answerMAC.map { mac in " sent to \(mac)" + (node(sendingFrom: mac).map { " (\(topology.nodes[$0].name))" } ?? "") } ?? ""
                lines.append("\(flow): \(what), answered at \(at)\(to), never back on the requester's side; \(seen)")
                bad.add(o.first, "\(flow): the request; its answer was seen at \(at) only")
                if let answer = o.firstAnswer { bad.add(answer, "\(flow): the answer, never seen on the requester's side") }
            case .unanswered:
                let arrived = missed.isEmpty && o.requestPoints.nonzeroBitCount > 1 ? " (it arrived: nothing answered)" : ""
                lines.append("\(flow): \(what), never answered\(arrived); \(seen)\(notSeen)")
                bad.add(o.first, "\(flow): never answered")
            case .answered:
                break
            }
        }
        for (b, n) in perSubnet.sorted(by: { $0.key < $1.key }) where n.answered == 0 {
            let subnets = topology.nodes[b].containerSubnets.map(\.description).joined(separator: ", ")
            lines.append("\(topology.nodes[b].name)'s containers (\(subnets)) answered none of \(count(n.opened, "connection"))")
        }
        let total = judged.count
        guard !bad.isEmpty else {
            return result(.flowAnswered, .pass, "\(count(total, "cross-host connection")) opened, all answered", expected: expected)
        }
        let failed = perSubnet.values.reduce(0) { $0 + $1.opened - $1.answered }
        return result(
            .flowAnswered, .fail, "\(failed) of \(count(total, "cross-host connection")) not answered: \(lines[0])",
            expected: expected, observed: lines, evidence: bad)
    }

}
