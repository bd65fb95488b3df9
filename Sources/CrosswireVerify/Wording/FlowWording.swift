// flow.answered in words.

import CrosswireDecoder
import CrosswireVerdict

extension FlowChecks.Answered {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "every connection a container opens to another host's container (TCP SYN, echo request) is answered where the requester's side is captured"
        guard opened > 0 else {
            return w.result(self, "no cross-host container connection opened (TCP SYN or echo request)", expected: expected)
        }
        guard judged > 0 else {
            return w.result(
                self,
                "\(w.count(opened, "cross-host connection")) opened, none judged: each seen once near the end of its capture point, or at a point that does not see the requester's incoming traffic",
                expected: expected)
        }
        guard let first = unanswered.first else {
            return w.result(self, "\(w.count(judged, "cross-host connection")) opened, all answered", expected: expected)
        }
        let names = { (points: [CapturePointID]) in points.map { w.shortName($0) }.joined(separator: ", ") }
        var lines = unanswered.map { u in
            let flow = Self.flow(u.endpoints)
            let what = w.count(u.requests, u.endpoints.isICMP ? "echo request" : "SYN")
            let seen = "seen at " + names(u.seenAt)
            switch u.outcome {
            case .refused:
                return "\(flow): \(what), refused (RST); \(seen)"
            case .answerLost:
                let to = u.answerMAC.map { mac in " sent to \(mac)" + (u.answerNode.map { " (\(w.name($0)))" } ?? "") } ?? ""
                return "\(flow): \(what), answered at \(names(u.answeredAt))\(to), never back on the requester's side; \(seen)"
            case .unanswered, .answered:
                let notSeen = u.missedBy.isEmpty ? "" : ", not at " + names(u.missedBy)
                return "\(flow): \(what), never answered\(u.arrived ? " (it arrived: nothing answered)" : ""); \(seen)\(notSeen)"
            }
        }
        for (b, n) in answeredNone {
            let subnets = w.topology.nodes[b].containerSubnets.map(\.description).joined(separator: ", ")
            lines.append("\(w.name(b))'s containers (\(subnets)) answered none of \(w.count(n, "connection"))")
        }
        return w.result(
            self, "\(failed) of \(w.count(judged, "cross-host connection")) not answered: \(lines[0])", expected: expected,
            observed: lines, evidence: evidence, detail: { note in
                switch note {
                case .refused(let e): "\(Self.flow(e)): refused by RST"
                case .request(let e, let at): "\(Self.flow(e)): the request; its answer was seen at \(names(at)) only"
                case .answer(let e): "\(Self.flow(e)): the answer, never seen on the requester's side"
                case .unanswered(let e): "\(Self.flow(e)): never answered"
                }
            }, hint: hint(first, w))
    }

    static func flow(_ e: Endpoints) -> String { "\(e.sourceText) → \(e.destinationText) (\(e.protocolText))" }

    func hint(_ u: FlowChecks.Unanswered, _ w: Sentences) -> String? {
        let (a, b) = (w.name(u.requester), w.name(u.answerer))
        let (src, dst) = (u.endpoints.source, u.endpoints.destination)
        switch u.outcome {
        case .refused:
            return "\(dst) refused \(u.endpoints.destinationText) (RST): the network delivered it; is the container's service listening there (`ss -ltn` in the container, the port `docker run` gave)?"
        case .answerLost:
            let via = u.plannedReturn.map { " (planned via \($0))" } ?? ""
            return "\(b) answered but the answer never came back: its return route to \(a)'s containers, `ip route get \(src)` on \(b)\(via), and the firewalls on the way back"
        case .unanswered where u.arrived:
            return "the request reached \(b) and nothing answered: \(b)'s FORWARD chain (`iptables -L FORWARD -v`, Docker's `DOCKER-USER`) or the container's service"
        case .unanswered:
            return "the request never got an answer: follow it from \(a) (`ip route get \(dst)` on \(a), the tunnel or next hop), then capture \(b)'s NIC and container bridge to see whether it arrives"
        case .answered:
            return nil
        }
    }
}
