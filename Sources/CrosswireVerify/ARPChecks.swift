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
        var conflicts = EvidenceList()
        var observed: [String] = []
        for (ip, claim) in arp.claims.sorted(by: { $0.key < $1.key }) where claim.macs.count > 1 {
            let macs = claim.macs.map(\.description).joined(separator: ", ")
            observed.append("\(ip) claimed by \(macs)")
            for (mac, ref) in zip(claim.macs, claim.firsts) { conflicts.add(ref, "\(ip) claimed by \(mac)") }
        }
        if !observed.isEmpty {
            return result(
                .arpConflict, .fail, "\(observed.count) address\(observed.count == 1 ? " is" : "es are") claimed by several MACs: \(observed[0])",
                expected: "each IP address claimed by one MAC", observed: observed, evidence: conflicts)
        }
        return result(
            .arpConflict, .pass, "\(arp.claims.count) addresses claimed in \(arp.messages) ARP messages, one MAC each",
            expected: "each IP address claimed by one MAC")
    }
}
