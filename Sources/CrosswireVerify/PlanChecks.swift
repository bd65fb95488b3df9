// plan.valid.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct PlanChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [planValid()]) }

    /// plan.valid: the plan's contradictions, and the likeliest cause of the first.
    struct Validity: CheckOutcome {
        var id: CheckID { .planValid }
        var status: CheckStatus { problems.isEmpty ? .pass : .fail }
        var hosts: Int, routers: Int
        var problems: [PlanProblem]
        var cause: Cause?
    }

    /// What to change for a contradiction, in the order the hint looks for them.
    enum Cause {
        case overlap(host: String, subnet: IPPrefix, other: String, otherSubnet: IPPrefix)
        case coversAddress(host: String, subnet: IPPrefix, node: String, address: IPAddress)
        case bridgedOffUnderlay(IPPrefix)
        case planLine(PlanProblem)
    }

    func planValid() -> Validity {
        let problems = PlanValidator.problems(in: plan)
        return Validity(hosts: plan.hosts.count, routers: plan.routers.count, problems: problems, cause: problems.isEmpty ? nil : cause())
    }

    func cause() -> Cause? {
        let hosts = plan.hosts
        for (i, a) in hosts.enumerated() {
            for b in hosts[(i + 1)...] {
                for x in a.containerSubnets { for y in b.containerSubnets where x.overlaps(y) {
                    return .overlap(host: a.name, subnet: x, other: b.name, otherSubnet: y)
                } }
            }
        }
        for h in hosts {
            for c in h.containerSubnets {
                if let n = plan.nodes.first(where: { n in n.addresses.contains { c.contains($0) } }) {
                    return .coversAddress(host: h.name, subnet: c, node: n.name, address: n.address)
                }
                if plan.transport.mode == .bridged, let u = plan.underlay.subnet, !u.contains(c.network) {
                    return .bridgedOffUnderlay(u)
                }
            }
        }
        return PlanValidator.problems(in: plan).first.map(Cause.planLine)
    }
}
