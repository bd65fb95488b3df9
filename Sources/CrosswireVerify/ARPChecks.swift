// arp.conflict.

import CrosswireDecoder
import CrosswireVerdict

struct ARPChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [arpConflict()]) }

    func arpConflict() -> CheckResult {
        let arp = findings.arp
        guard arp.messages > 0 else { return result(.arpConflict, .skip, "no ARP or IPv6 neighbour discovery in the captures") }
        var conflicts = EvidenceList(), handovers = EvidenceList()
        var observed: [String] = [], moved: [String] = []
        for (ip, claim) in arp.claims.sorted(by: { $0.key < $1.key }) where claim.macs.count > 1 {
            // Each MAC's claims as a time span, in the order the MACs first claimed the address.
            let spans = claim.macs.enumerated().map { k, mac in
                (mac: mac, first: claim.firsts[k],
                 span: arp.spans[ARPFindings.AddressClaim(address: ip, mac: mac)])
            }.sorted { ($0.span?.first.nanoseconds ?? 0) < ($1.span?.first.nanoseconds ?? 0) }
            // A handover: every MAC stops claiming before the next one starts. Else two claim it at once.
            let overlapping = zip(spans, spans.dropFirst()).contains { a, b in
                guard let a = a.span, let b = b.span else { return true }
                return a.last > b.first
            }
            let macs = spans.map(\.mac.description).joined(separator: ", ")
            if overlapping {
                observed.append("\(ip) claimed by \(macs) at the same time")
                for s in spans { conflicts.add(s.first, "\(ip) claimed by \(s.mac)") }
            } else {
                let when = spans.map { "\($0.mac) from \(place($0.first))" }.joined(separator: ", then ")
                moved.append("\(ip) moved: \(when)")
                for s in spans { handovers.add(s.first, "\(ip) claimed by \(s.mac)") }
            }
        }
        if !observed.isEmpty {
            return result(
                .arpConflict, .fail, "\(observed.count) address\(observed.count == 1 ? " is" : "es are") claimed by several MACs: \(observed[0])",
                expected: "each IP address claimed by one MAC", observed: observed + moved, evidence: conflicts)
        }
        if !moved.isEmpty {
            return result(
                .arpConflict, .warn,
                "\(moved.count) address\(moved.count == 1 ? "" : "es") handed over to another MAC (failover or a reused address): \(moved[0])",
                expected: "each IP address claimed by one MAC", observed: moved, evidence: handovers)
        }
        return result(
            .arpConflict, .pass, "\(arp.claims.count) addresses claimed in \(arp.messages) ARP messages, one MAC each",
            expected: "each IP address claimed by one MAC")
    }
}
