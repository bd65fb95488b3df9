// The hints of ospf.*, until that family returns typed outcomes
// (the others' causes come with their outcomes, worded in Wording/): the likely
// cause and the fix, in the words of bird/FRR. A check with nothing reliable to
// say gets no hint rather than a guess.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct Hints {
    let topology: Topology
    let findings: Findings
    /// The judged checks and route tables (the BGP/OSPF rows name what is missing or extra).
    let judgement: WordedJudgement

    var plan: Plan { topology.plan }

    /// The judgement with a hint on every `fail` and `warn` that has one.
    func annotated() -> WordedJudgement {
        var j = judgement
        for i in j.checks.indices where (j.checks[i].status == .fail || j.checks[i].status == .warn) && j.checks[i].hint == nil {
            j.checks[i].hint = hint(for: j.checks[i])
        }
        return j
    }

    /// The hints of the family that still words its own results (OSPF); the others'
    /// hints come with their outcomes (Wording/).
    func hint(for r: CheckResult) -> String? {
        switch r.id {
        case .ospfAdjacency: ospfAdjacency()
        case .ospfRoutes: ospfRoutes()
        default: nil
        }
    }

    // MARK: Words

    func name(_ node: Int) -> String { topology.nodes[node].name }

    // MARK: ospf.*

    func ospfAdjacency() -> String? {
        let control = findings.control
        let ospf = OSPFChecks(topology: topology, findings: findings)
        let planned = plan.routing.ospf
        let routers = control.hellos.keys.sorted()
        func intervals(_ hello: Int, _ dead: Int) -> String {
            "bird `hello \(hello); dead \(dead);` in its OSPF interface block (FRR `ip ospf hello-interval \(hello)`, `ip ospf dead-interval \(dead)`)"
        }
        for rid in routers {
            for h in control.hellos[rid]! {
                if let area = planned?.area, h.area.rawValue != area {
                    return "\(ospf.routerName(rid)) runs area \(h.area): bird `area \(IPv4Address(rawValue: area)) { … }` (FRR `network … area \(IPv4Address(rawValue: area))`)"
                }
                let hello = planned?.helloInterval ?? Int(h.helloInterval), dead = planned?.deadInterval ?? Int(h.deadInterval)
                if hello != Int(h.helloInterval) || dead != Int(h.deadInterval) {
                    return "on \(ospf.routerName(rid)) set \(intervals(hello, dead)), as planned"
                }
            }
        }
        // Two routers of one link that disagree: the check's first disagreement, without a plan to side with.
        let all = routers.flatMap { rid in control.hellos[rid]!.map { (rid, $0) } }
        for (i, (r1, a)) in all.enumerated() {
            for (r2, b) in all[(i + 1)...] where r1 != r2 && a.source.isV4 && a.mask == b.mask {
                if a.area != b.area { return "\(ospf.routerName(r1)) runs area \(a.area), \(ospf.routerName(r2)) area \(b.area): one `area` for the link on both (bird `area … { interface … }`)" }
                if a.helloInterval != b.helloInterval || a.deadInterval != b.deadInterval {
                    return "\(ospf.routerName(r1)) sends hello/dead \(a.helloInterval)/\(a.deadInterval) s, \(ospf.routerName(r2)) \(b.helloInterval)/\(b.deadInterval) s: the same on both, e.g. \(intervals(Int(a.helloInterval), Int(a.deadInterval)))"
                }
            }
        }
        let mtus = control.databaseDescriptions.sorted { $0.key < $1.key }.filter { $0.value.mtu != 0 }
        if let low = mtus.min(by: { $0.value.mtu < $1.value.mtu }), let high = mtus.max(by: { $0.value.mtu < $1.value.mtu }), low.value.mtu != high.value.mtu {
            return "interface MTUs differ (\(ospf.routerName(high.key)) \(high.value.mtu), \(ospf.routerName(low.key)) \(low.value.mtu)): `ip link set dev IFACE mtu \(low.value.mtu)` on \(ospf.routerName(high.key)) (or the other way round), or FRR `ip ospf mtu-ignore`"
        }
        if control.hellos.count < 2 {
            return "Hellos from one router only: OSPF is not enabled on the neighbour's interface (bird `interface \"IFACE\"` in the area, FRR `network … area …`), or IP protocol 89 to 224.0.0.5 is dropped between them (`iptables -I INPUT -p 89 -j ACCEPT`)"
        }
        return "routers hear each other but form no adjacency: they must list each other in their Hellos (authentication, `iptables -I INPUT -p 89 -j ACCEPT` on both), and on a broadcast link one needs priority above 0 (bird `priority 1;`, FRR `ip ospf priority 1`)"
    }

    func ospfRoutes() -> String? {
        guard let row = judgement.ospfRoutes.first(where: { $0.state != .present }) else { return nil }
        let area = plan.routing.ospf?.area.map { IPv4Address(rawValue: $0).description } ?? "0.0.0.0"
        switch row.state {
        case .missing:
            return "\(row.speaker) does not advertise its containers \(row.prefix): bird `interface \"docker0\" { stub yes; };` in `area \(area)` (FRR `network \(row.prefix) area \(area)`)"
        case .extra:
            return "\(row.speaker) advertises \(row.prefix) (\(row.detail ?? "not its own")): remove that interface or `stubnet` from its OSPF area (FRR `no network \(row.prefix) area \(area)`), or correct that host's `bip`"
        default:
            return nil
        }
    }
}
