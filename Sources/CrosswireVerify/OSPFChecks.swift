// ospf.adjacency and ospf.routes.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct OSPFChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let routes = ospfRouteAnalysis()
        return Judgement(
            checks: [ospfAdjacency(), ospfRoutes(routes)], ospfRoutes: routes.rows, ospfAdjacencies: ospfAdjacencyRows,
            ospfLinks: ospfLinks().map { judge($0).row })
    }

    var control: ControlPlaneFindings { findings.control }

    /// The planned node an OSPF router id stands for: by `router_id`, by its
    /// address, by the address its Hellos come from, or by an address inside a
    /// host's containers (a router id taken from the container bridge).
    func node(ofRouter rid: IPv4Address) -> Int? {
        if let n = topology.nodes.indices.first(where: { topology.nodes[$0].routerID == rid }) { return n }
        if let n = topology.node(at: .v4(rid)) { return n }
        if let source = control.hellos[rid]?.first?.source, let n = topology.node(at: source) { return n }
        return topology.owner(of: .v4(rid))
    }

    func routerName(_ rid: IPv4Address) -> String {
        node(ofRouter: rid).map { "\(topology.nodes[$0].name) (\(rid))" } ?? "router \(rid)"
    }

    func ospfAdjacency() -> CheckResult {
        let planned = plan.routing.ospf
        var parts: [String] = []
        if let area = planned?.area { parts.append("area \(IPv4Address(rawValue: area))") }
        if let h = planned?.helloInterval { parts.append("hello \(h)s") }
        if let d = planned?.deadInterval { parts.append("dead \(d)s") }
        let expected = "neighbours agree on area, mask, hello/dead intervals and MTU, and exchange databases" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        guard !control.hellos.isEmpty || control.ospfFrames > 0 else {
            return result(.ospfAdjacency, .skip, "no OSPF traffic in the captures", expected: expected)
        }
        var bad = EvidenceList()
        var problems: [String] = []
        var observed: [String] = []
        let routers = control.hellos.keys.sorted()
        for rid in routers {
            for h in control.hellos[rid]! {
                observed.append("\(routerName(rid)) Hello: area \(h.area), \(h.mask.map { "mask \($0), " } ?? "")hello \(h.helloInterval)s, dead \(h.deadInterval)s (\(place(h.refs[0])))")
                var wrong: [String] = []
                if let area = planned?.area, h.area.rawValue != area { wrong.append("area \(h.area), planned \(IPv4Address(rawValue: area))") }
                if let hello = planned?.helloInterval, Int(h.helloInterval) != hello { wrong.append("hello \(h.helloInterval)s, planned \(hello)s") }
                if let dead = planned?.deadInterval, Int(h.deadInterval) != dead { wrong.append("dead \(h.deadInterval)s, planned \(dead)s") }
                if !wrong.isEmpty {
                    problems.append("\(routerName(rid)): " + wrong.joined(separator: ", "))
                    for r in h.refs { bad.add(r, "Hello from \(routerName(rid)): " + wrong.joined(separator: ", ")) }
                }
            }
        }
        // Per link (RFC 2328 §10.5): parameters, DBD MTUs and neighbour state are compared among
        // the routers of one link only.
        var notes: [String] = [], singles: [String] = []
        for link in ospfLinks() {
            let j = judge(link)
            problems += j.problems
            for (ref, why) in zip(j.evidence.frames, j.evidence.details) where !bad.frames.contains(ref) { bad.add(ref, why) }
            if let note = j.note { notes.append(note) }
            if let single = j.single { singles.append(single) }
        }
        for (rid, d) in control.databaseDescriptions.sorted(by: { $0.key < $1.key }) {
            observed.append("\(routerName(rid)) DBD: interface MTU \(d.mtu) (\(place(d.ref)))")
        }
        if !problems.isEmpty {
            return result(.ospfAdjacency, .fail, problems.joined(separator: "; "), expected: expected, observed: observed, evidence: bad)
        }
        if control.hellos.isEmpty {
            return result(.ospfAdjacency, .warn, "OSPF packets but no Hello: neighbours not judged", expected: expected, observed: observed)
        }
        if notes.isEmpty {
            let only = singles.isEmpty ? (routers.first.map(routerName) ?? "one router") : singles.joined(separator: "; ")
            return result(.ospfAdjacency, .warn, "Hellos from a single router only (\(only)): no neighbour seen", expected: expected, observed: observed)
        }
        return result(
            .ospfAdjacency, .pass, (notes + singles.map { "single router: \($0)" }).joined(separator: "; "), expected: expected, observed: observed)
    }

    /// OSPF advertisement rows, and the evidence of the wrong ones.
    func ospfRouteAnalysis() -> (rows: [RouteRow], bad: EvidenceList) {
        var rows: [RouteRow] = []
        var bad = EvidenceList()
        for (key, value) in control.advertisements.sorted(byFrame: \.value.ref, then: \.key) {
            let advertiser = node(ofRouter: key.router)
            let name = routerName(key.router)
            if key.prefix.length == 0 {
                // A default route (an ASBR's external or an ABR's summary) is no container subnet and overlaps none.
                rows.append(RouteRow(state: .present, speaker: name, prefix: key.prefix.description, detail: "default route (LSA type \(value.lsaType)), not a container subnet"))
                continue
            }
            if let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containers == .some(key.prefix) }) {
                if advertiser == owner {
                    rows.append(RouteRow(state: .present, speaker: name, prefix: key.prefix.description, detail: "LSA type \(value.lsaType)"))
                } else if value.lsaType == 3 {
                    // RFC 2328 §12.4.3: an ABR passes the owner's subnet into another area.
                    rows.append(RouteRow(state: .present, speaker: name, prefix: key.prefix.description, detail: "\(topology.nodes[owner].name)'s subnet summarised between areas (LSA type 3)"))
                } else {
                    rows.append(RouteRow(state: .extra, speaker: name, prefix: key.prefix.description, detail: "\(topology.nodes[owner].name)'s subnet advertised by another router"))
                    bad.add(value.ref, "\(name) advertises \(topology.nodes[owner].name)'s subnet \(key.prefix)")
                }
            } else if let overlapped = topology.nodes.first(where: { $0.containers.map { $0.overlaps(key.prefix) } ?? false }) {
                rows.append(RouteRow(state: .extra, speaker: name, prefix: key.prefix.description, detail: "overlaps \(overlapped.name)'s containers \(overlapped.containers!)"))
                bad.add(value.ref, "\(name) advertises \(key.prefix), which overlaps \(overlapped.name)'s containers without being them")
            }
        }
        // Planned hosts that originate a Router-LSA but do not advertise their own subnet.
        for (rid, ref) in control.routerLSAOrigins.sorted(byFrame: \.value, then: \.key) {
            guard let n = node(ofRouter: rid), let subnet = topology.nodes[n].containers else { continue }
            let advertised = control.advertisements.keys.contains { $0.prefix == subnet && node(ofRouter: $0.router) == n }
            if !advertised {
                rows.append(RouteRow(state: .missing, speaker: routerName(rid), prefix: subnet.description, detail: "Router-LSA without the host's container subnet"))
                bad.add(ref, "\(routerName(rid))'s Router-LSA does not advertise its containers \(subnet)")
            }
        }
        let order: [RouteState: Int] = [.missing: 0, .extra: 1, .present: 2]
        rows.sort { (order[$0.state] ?? 9, $0.speaker, $0.prefix) < (order[$1.state] ?? 9, $1.speaker, $1.prefix) }
        return (rows, bad)
    }

    /// One row per router seen in Hellos: whether it reached database exchange.
    var ospfAdjacencyRows: [RouteRow] {
        control.hellos.keys.sorted().map { rid in
            let dbd = control.databaseDescriptions[rid]
            let h = control.hellos[rid]![0]
            // 2-Way: a neighbour it lists lists it too.
            let twoWay = (control.helloNeighbours[rid] ?? []).contains { control.helloNeighbours[$0]?.contains(rid) == true }
            return RouteRow(
                state: dbd != nil || twoWay ? .present : .missing, speaker: routerName(rid), prefix: "area \(h.area)",
                detail: dbd.map { "database exchange, MTU \($0.mtu)" } ?? (twoWay ? "2-Way from Hellos, DBD not seen" : "Hellos only, no database exchange"))
        }
    }

    func ospfRoutes(_ analysis: (rows: [RouteRow], bad: EvidenceList)) -> CheckResult {
        let expected = "each host advertises its container subnet, and no router advertises another's"
        guard !control.advertisements.isEmpty || !control.routerLSAOrigins.isEmpty else {
            return result(.ospfRoutes, .skip, control.ospfFrames > 0 ? "no LSA in the captures" : "no OSPF traffic in the captures", expected: expected)
        }
        let (rows, bad) = analysis
        let observed = rows.map { "\($0.state): \($0.speaker) \($0.prefix)\($0.detail.map { " (\($0))" } ?? "")" }
        let wrong = rows.filter { $0.state != .present }
        if !wrong.isEmpty {
            return result(.ospfRoutes, .fail, wrong.map { "\($0.state) \($0.prefix) (\($0.speaker))" }.joined(separator: ", "), expected: expected, observed: observed, evidence: bad)
        }
        if rows.isEmpty {
            return result(.ospfRoutes, .pass, "LSAs seen; none advertises or overlaps a container subnet wrongly", expected: expected, observed: observed)
        }
        let defaults = rows.filter { $0.prefix.hasSuffix("/0") }
        let subnets = rows.filter { !$0.prefix.hasSuffix("/0") }
        return result(
            .ospfRoutes, .pass,
            "\(subnets.count) container subnets advertised: " + subnets.map { "\($0.prefix) by \($0.speaker)" }.joined(separator: ", ")
                + (defaults.isEmpty ? "" : "; default route from " + defaults.map { "\($0.speaker) (\($0.detail ?? ""))" }.joined(separator: ", ")),
            expected: expected, observed: observed)
    }
}
