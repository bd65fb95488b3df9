// The checks: each family is a pure function of (topology, findings) that
// judges its check ids. The rules are docs/CHECKS.md.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// What one family of checks concludes: a typed outcome per check id it owns, and the
/// route tables it built on the way (each analysis runs once).
struct Judgement {
    var outcomes: [any CheckOutcome] = []
    var bgpRoutes: [BGPChecks.Route] = []
    var ospfRoutes: [OSPFChecks.Route] = []
    var ospfAdjacencies: [OSPFChecks.AdjacencyRow] = []
    var ospfLinks: [OSPFLinkJudgement] = []
    var bgpSessions: [BGPChecks.SessionHistory] = []
}

/// What every family concluded, in words: one result per check id in the contract's order,
/// and the control-plane tables as the verdict holds them.
struct WordedJudgement {
    var checks: [CheckResult] = []
    var bgpRoutes: [RouteRow] = []
    var ospfRoutes: [RouteRow] = []
    var ospfAdjacencies: [RouteRow] = []
    var ospfLinks: [OSPFLinkRow] = []
    var bgpSessions: [BGPSessionRow] = []
}

/// A family of checks (one file each). It sees the topology and the findings, nothing else.
protocol CheckFamily: SendableMetatype {
    init(topology: Topology, findings: Findings)
    var topology: Topology { get }
    var findings: Findings { get }
    func judge() -> Judgement
}

/// Every check family. A new family is one line here and its own file; its check
/// ids go into `CheckID`, in the contract's order.
let checkFamilies: [any CheckFamily.Type] = [
    PlanChecks.self, NATChecks.self, EncapChecks.self, RouteChecks.self, BGPChecks.self, OSPFChecks.self,
    ARPChecks.self, PathChecks.self, FlowChecks.self,
]

/// Runs every family: one result per check id, in the contract's order, and the route tables.
func judgeAll(_ topology: Topology, _ findings: Findings) -> WordedJudgement {
    var all = WordedJudgement()
    var byID: [CheckID: CheckResult] = [:]
    let words = Sentences(topology: topology, findings: findings)
    for family in checkFamilies {
        let j = family.init(topology: topology, findings: findings).judge()
        for o in j.outcomes { byID[o.id] = o.worded(words) }
        all.bgpRoutes += j.bgpRoutes.map(words.row)
        all.ospfRoutes += words.rows(j.ospfRoutes).map(\.row)
        all.ospfAdjacencies += j.ospfAdjacencies.map(words.row)
        all.ospfLinks += j.ospfLinks.map(words.row)
        all.bgpSessions += j.bgpSessions.map(words.row)
    }
    all.checks = CheckID.allCases.map { byID[$0]! }
    return all
}

extension CheckFamily {
    var plan: Plan { topology.plan }

    /// The node that sends from this MAC: by the plan's `mac`, or by ARP (the MAC that claimed a node's address).
    func node(sendingFrom mac: MACAddress) -> Int? {
        if let n = topology.node(withPlannedMAC: mac) { return n }
        // The node of the lowest address the MAC claimed; no list built, since checks ask per item.
        var best: (address: IPAddress, node: Int)?
        for (ip, claim) in findings.arp.claims where claim.macs.contains(mac) {
            if let n = topology.node(at: ip), best.map({ ip < $0.address }) ?? true { best = (ip, n) }
        }
        return best?.node
    }
}
