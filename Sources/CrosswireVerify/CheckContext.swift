// The checks: each reads the analysers' results and the plan, and gives a
// status, a one-line summary and evidence. The rules are docs/CHECKS.md.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// Everything a check may read.
struct CheckContext {
    let session: VerificationSession
    var plan: Plan { session.plan }
    var topology: Topology { session.topology }
    var capturePaths: [String] { session.captures.map(\.path) }

    init(session: VerificationSession) { self.session = session }

    func evaluate(_ id: CheckID) -> CheckResult {
        switch id {
        case .planValid: planValid()
        case .natSource: natChecks().source
        case .natDestination: natChecks().destination
        case .encapMode: encapMode()
        case .encapOverhead: encapOverhead()
        case .encapMTU: encapMTU()
        case .encapVTEP: encapVTEP()
        case .routeNextHop: routeNextHop()
        case .routeErrors: routeErrors()
        case .bgpSession: bgpSession()
        case .bgpRoutes: bgpRoutes()
        case .ospfAdjacency: ospfAdjacency()
        case .ospfRoutes: ospfRoutes()
        case .arpConflict: arpConflict()
        }
    }

    /// Evidence entries from an evidence list.
    func evidence(_ list: EvidenceList) -> [Evidence] {
        zip(list.frames, list.details).map { ref, detail in
            Evidence(capture: capturePaths[Int(ref.capture)], frame: Int(ref.frame), detail: detail)
        }
    }

    func result(
        _ id: CheckID, _ status: CheckStatus, _ summary: String, expected: String? = nil, observed: [String] = [],
        evidence list: EvidenceList = EvidenceList()
    ) -> CheckResult {
        CheckResult(
            id: id, status: status, summary: summary, expected: expected, observed: observed, evidence: evidence(list),
            evidenceOmitted: list.omitted)
    }

    /// "in capture X frame N" for a frame reference.
    func place(_ ref: FrameRef) -> String {
        let path = capturePaths[Int(ref.capture)]
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return "\(name) frame \(ref.frame)"
    }

    var noContainerTraffic: String { "no container traffic in the captures" }

    // MARK: plan.valid

    func planValid() -> CheckResult {
        let problems = PlanValidator.problems(in: plan)
        if problems.isEmpty {
            return result(
                .planValid, .pass,
                "plan is consistent: \(plan.hosts.count) hosts, \(plan.routers.count) routers, no overlapping subnets",
                expected: "a consistent plan")
        }
        return result(
            .planValid, .fail, "\(problems.count) contradiction\(problems.count == 1 ? "" : "s") in the plan: \(problems[0])",
            expected: "a consistent plan", observed: problems.map { $0.located(in: plan.source.file) })
    }

    // MARK: arp.conflict

    func arpConflict() -> CheckResult {
        let arp = session.arp
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
