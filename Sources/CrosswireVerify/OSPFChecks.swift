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
            checks: [ospfAdjacency(), ospfRoutes(routes)], ospfRoutes: routes.rows, ospfAdjacencies: ospfAdjacencyRows)
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
        // Neighbours on one segment (same network under the Hello's mask) must agree with each other.
        func segment(_ h: ControlPlaneFindings.HelloSeen) -> String {
            guard case .v4(let a) = h.source, let mask = h.mask else { return h.source.description }
            return "\(IPv4Address(rawValue: a.rawValue & mask.rawValue))/\(mask.rawValue.nonzeroBitCount)"
        }
        var bySegment: [String: [(IPv4Address, ControlPlaneFindings.HelloSeen)]] = [:]
        for rid in routers { for h in control.hellos[rid]! { bySegment[segment(h), default: []].append((rid, h)) } }
        var multiRouterSegments = 0
        // Segments whose routers list each other in their Hellos, with a DR on broadcast links: 2-Way at least.
        var twoWay: [String] = []
        var notTwoWay: [String] = []
        for (seg, list) in bySegment.sorted(by: { $0.key < $1.key }) {
            let rids = Set(list.map(\.0))
            guard rids.count > 1 else { continue }
            multiRouterSegments += 1
            let listed = rids.allSatisfy { r in !(control.helloNeighbours[r] ?? []).isDisjoint(with: rids.subtracting([r])) }
            let broadcast = list.contains { $0.1.mask.map { $0 != .any && $0.rawValue != .max } ?? false }
            let dr = rids.sorted().compactMap { control.designatedRouters[$0] }.last
            let names = rids.sorted().map(routerName).joined(separator: ", ")
            if !listed {
                notTwoWay.append("on \(seg), \(names) do not list each other in their Hellos")
            } else if broadcast, dr == nil {
                notTwoWay.append("on broadcast \(seg), no DR elected (every Hello has DR 0.0.0.0)")
            } else {
                let byAddress = { (a: IPv4Address) in list.first { $0.1.source == .v4(a) }.map { routerName($0.0) } ?? a.description }
                let roles = dr.map { d in ", DR \(byAddress(d.dr)), BDR \(d.bdr == .any ? "none" : byAddress(d.bdr))" } ?? ""
                twoWay.append("\(seg): \(names) 2-Way (from Hellos)\(roles)")
            }
            let first = list[0].1
            for (rid, h) in list.dropFirst() where rid != list[0].0 {
                var differ: [String] = []
                if h.area != first.area { differ.append("area \(h.area) vs \(first.area)") }
                if h.mask != first.mask { differ.append("mask \(h.mask.map(\.description) ?? "-") vs \(first.mask.map(\.description) ?? "-")") }
                if h.helloInterval != first.helloInterval { differ.append("hello \(h.helloInterval)s vs \(first.helloInterval)s") }
                if h.deadInterval != first.deadInterval { differ.append("dead \(h.deadInterval)s vs \(first.deadInterval)s") }
                if !differ.isEmpty {
                    problems.append("on \(seg), \(routerName(rid)) and \(routerName(list[0].0)) disagree: " + differ.joined(separator: ", "))
                    for r in first.refs { bad.add(r, "Hello from \(routerName(list[0].0)) on \(seg)") }
                    for r in h.refs { bad.add(r, "Hello from \(routerName(rid)) disagrees: " + differ.joined(separator: ", ")) }
                }
            }
        }
        // Interface MTUs in Database Description packets.
        let mtus = control.databaseDescriptions.sorted { $0.key < $1.key }
        if let (firstRID, firstDBD) = mtus.first {
            for (rid, d) in mtus.dropFirst() where d.mtu != firstDBD.mtu && d.mtu != 0 && firstDBD.mtu != 0 {
                problems.append("DBD MTU \(d.mtu) from \(routerName(rid)) vs \(firstDBD.mtu) from \(routerName(firstRID))")
                bad.add(d.ref, "Database Description from \(routerName(rid)) with interface MTU \(d.mtu)")
                bad.add(firstDBD.ref, "Database Description from \(routerName(firstRID)) with interface MTU \(firstDBD.mtu)")
            }
        }
        for (rid, d) in mtus { observed.append("\(routerName(rid)) DBD: interface MTU \(d.mtu) (\(place(d.ref)))") }
        let exchanged = control.databaseDescriptions.count >= 2 || control.updates > 0 || control.acks > 0
        if multiRouterSegments > 0 && !exchanged && !notTwoWay.isEmpty {
            let noDR = notTwoWay.filter { $0.contains("no DR elected") }
            problems.append("Hellos from \(control.hellos.count) routers but no database exchange: no adjacency formed" + (noDR.isEmpty ? "" : " (\(noDR.joined(separator: "; ")))"))
        }
        if !problems.isEmpty {
            return result(.ospfAdjacency, .fail, problems.joined(separator: "; "), expected: expected, observed: observed, evidence: bad)
        }
        if control.hellos.count < 2 {
            let only = routers.first.map(routerName) ?? "one router"
            return result(.ospfAdjacency, .warn, "Hellos from \(only) only: no neighbour seen", expected: expected, observed: observed)
        }
        if !exchanged && !twoWay.isEmpty {
            // A capture started in steady state: only Hellos flow once adjacencies are Full.
            return result(
                .ospfAdjacency, .pass, twoWay.joined(separator: "; ") + "; DBD not seen, MTU not compared", expected: expected, observed: observed)
        }
        return result(
            .ospfAdjacency, .pass,
            "\(control.hellos.count) routers agree (\(routers.map(routerName).joined(separator: ", "))); database exchange seen (\(control.databaseDescriptions.count) DBD senders, \(control.updates) LSAs, \(control.acks) acks)",
            expected: expected, observed: observed)
    }

    /// OSPF advertisement rows, and the evidence of the wrong ones.
    func ospfRouteAnalysis() -> (rows: [RouteRow], bad: EvidenceList) {
        var rows: [RouteRow] = []
        var bad = EvidenceList()
        for (key, value) in control.advertisements.sorted(byFrame: \.value.ref, then: \.key) {
            let advertiser = node(ofRouter: key.router)
            let name = routerName(key.router)
            if let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containers == .some(key.prefix) }) {
                if advertiser == owner {
                    rows.append(RouteRow(state: .present, speaker: name, prefix: key.prefix.description, detail: "LSA type \(value.lsaType)"))
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
        return result(.ospfRoutes, .pass, "\(rows.count) container subnets advertised by their hosts: " + rows.map { "\($0.prefix) by \($0.speaker)" }.joined(separator: ", "), expected: expected, observed: observed)
    }
}
