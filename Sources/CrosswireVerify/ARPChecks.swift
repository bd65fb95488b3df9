// arp.conflict.

import CrosswireDecoder
import CrosswireVerdict

struct ARPChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [arpConflict()]) }

    /// An address claimed by several MACs.
    struct Claim {
        var address: IPAddress
        /// The MACs in the order the findings list them.
        var macs: [MACAddress]
        /// Each MAC with its first claim, in the order the MACs first claimed the address.
        var spans: [(mac: MACAddress, first: FrameRef)]
    }

    /// Whom two machines answering for one address are likely to be.
    enum Claimant { case gateway, node(Int), container, unknown }

    /// arp.conflict: addresses claimed at once by several MACs (`conflicts`), or handed over (`handovers`).
    struct Conflict: CheckOutcome {
        var id: CheckID { .arpConflict }
        var status: CheckStatus {
            messages == 0 ? .skip : !conflicts.isEmpty ? .fail : !handovers.isEmpty ? .warn : .pass
        }
        var messages: Int, addresses: Int
        var conflicts: [Claim] = [], handovers: [Claim] = []
        /// Each cited frame: the address and the MAC that claimed it there.
        var evidence = EvidenceList<(address: IPAddress, mac: MACAddress)>()
        /// Who the first conflicting address belongs to.
        var claimant: Claimant?
    }

    func arpConflict() -> Conflict {
        let arp = findings.arp
        var out = Conflict(messages: arp.messages, addresses: arp.claims.count)
        guard arp.messages > 0 else { return out }
        var conflicts = out.evidence, handovers = out.evidence
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
            let c = Claim(address: ip, macs: claim.macs, spans: spans.map { ($0.mac, $0.first) })
            if overlapping {
                out.conflicts.append(c)
                for s in spans { conflicts.add(s.first, (ip, s.mac)) }
            } else {
                out.handovers.append(c)
                for s in spans { handovers.add(s.first, (ip, s.mac)) }
            }
        }
        out.evidence = out.conflicts.isEmpty ? handovers : conflicts
        if let ip = out.conflicts.first?.address {
            out.claimant = plan.hosts.contains(where: { $0.gateway == ip }) ? .gateway
                : topology.node(at: ip).map(Claimant.node) ?? (topology.isContainer(ip) ? .container : .unknown)
        }
        return out
    }
}
