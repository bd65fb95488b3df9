// ospf.adjacency and ospf.routes, and the OSPF tables: links, adjacencies, advertisements.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct OSPFChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let links = ospfLinks().map(judge)
        let routes = ospfRoutes()
        return Judgement(
            outcomes: [ospfAdjacency(links), routes], ospfRoutes: routes.rows, ospfAdjacencies: adjacencyRows(), ospfLinks: links)
    }

    var control: ControlPlaneFindings { findings.control }

    /// A router id and the planned node it stands for, if any.
    struct Router { var id: IPv4Address; var node: Int? }

    func router(_ rid: IPv4Address) -> Router { Router(id: rid, node: node(ofRouter: rid)) }

    /// The planned node an OSPF router id stands for: by `router_id`, by its
    /// address, by the address its Hellos come from, or by an address inside a
    /// host's containers (a router id taken from the container bridge).
    func node(ofRouter rid: IPv4Address) -> Int? {
        if let n = topology.nodes.indices.first(where: { topology.nodes[$0].routerID == rid }) { return n }
        if let n = topology.node(at: .v4(rid)) { return n }
        if let source = control.hellos[rid]?.first?.source, let n = topology.node(at: source) { return n }
        return topology.owner(of: .v4(rid))
    }

    // MARK: ospf.adjacency

    /// A Hello field that differs from the plan: what the router sent, and the plan's value.
    enum Mismatch { case area(IPv4Address, planned: IPv4Address), hello(UInt16, planned: Int), dead(UInt32, planned: Int) }

    enum AdjacencyNote {
        case planned(Router, [Mismatch])
        case link(OSPFLink, OSPFLinkJudgement.Note)
    }

    /// What to change: the first Hello against the plan, else two routers that disagree
    /// anywhere, else the DBD MTUs, else why no adjacency formed.
    enum AdjacencyCause {
        case area(Router, seen: IPv4Address, planned: IPv4Address)
        case intervals(Router, hello: Int, dead: Int)
        case areasDiffer(Router, ControlPlaneFindings.HelloSeen, Router, ControlPlaneFindings.HelloSeen)
        case intervalsDiffer(Router, ControlPlaneFindings.HelloSeen, Router, ControlPlaneFindings.HelloSeen)
        case mtusDiffer(high: Router, UInt16, low: Router, UInt16)
        case oneRouter
        case noAdjacency
    }

    /// ospf.adjacency: neighbours agree on area, mask, intervals and MTU, and exchange databases.
    struct Adjacency: CheckOutcome {
        var id: CheckID { .ospfAdjacency }
        var status: CheckStatus {
            !sawOSPF ? .skip : !mismatches.isEmpty || links.contains { !$0.problems.isEmpty } ? .fail
                : hellos.isEmpty || !links.contains(where: \.formed) ? .warn : .pass
        }
        var sawOSPF = true
        /// Each router's Hellos with distinct parameters, by router id.
        var hellos: [(router: Router, hello: ControlPlaneFindings.HelloSeen)] = []
        var databaseDescriptions: [(router: Router, mtu: UInt16, ref: FrameRef)] = []
        var mismatches: [(router: Router, hello: ControlPlaneFindings.HelloSeen, wrong: [Mismatch])] = []
        var links: [OSPFLinkJudgement]
        var evidence = EvidenceList<AdjacencyNote>()
        var cause = AdjacencyCause.noAdjacency
    }

    func ospfAdjacency(_ links: [OSPFLinkJudgement]) -> Adjacency {
        var out = Adjacency(links: links)
        guard !control.hellos.isEmpty || control.ospfFrames > 0 else { out.sawOSPF = false; return out }
        let planned = plan.routing.ospf
        for rid in control.hellos.keys.sorted() {
            for h in control.hellos[rid]! {
                out.hellos.append((router(rid), h))
                var wrong: [Mismatch] = []
                if let area = planned?.area, h.area.rawValue != area { wrong.append(.area(h.area, planned: IPv4Address(rawValue: area))) }
                if let hello = planned?.helloInterval, Int(h.helloInterval) != hello { wrong.append(.hello(h.helloInterval, planned: hello)) }
                if let dead = planned?.deadInterval, Int(h.deadInterval) != dead { wrong.append(.dead(h.deadInterval, planned: dead)) }
                if !wrong.isEmpty {
                    out.mismatches.append((router(rid), h, wrong))
                    for r in h.refs { out.evidence.add(r, .planned(router(rid), wrong)) }
                }
            }
        }
        // Per link (RFC 2328 §10.5): parameters, DBD MTUs and neighbour state are compared among
        // the routers of one link only.
        for j in links { out.evidence.add(uncited: j.evidence) { .link(j.link, $0) } }
        out.databaseDescriptions = control.databaseDescriptions.sorted { $0.key < $1.key }.map { (router($0.key), $0.value.mtu, $0.value.ref) }
        out.cause = adjacencyCause(out)
        return out
    }

    func adjacencyCause(_ a: Adjacency) -> AdjacencyCause {
        let planned = plan.routing.ospf
        if let (r, h, wrong) = a.mismatches.first {
            for case .area(let seen, let area) in wrong { return .area(r, seen: seen, planned: area) }
            return .intervals(r, hello: planned?.helloInterval ?? Int(h.helloInterval), dead: planned?.deadInterval ?? Int(h.deadInterval))
        }
        // Two routers that disagree, without a plan to side with.
        for (i, (r1, x)) in a.hellos.enumerated() {
            for (r2, y) in a.hellos[(i + 1)...] where r1.id != r2.id && x.source.isV4 && x.mask == y.mask {
                if x.area != y.area { return .areasDiffer(r1, x, r2, y) }
                if x.helloInterval != y.helloInterval || x.deadInterval != y.deadInterval { return .intervalsDiffer(r1, x, r2, y) }
            }
        }
        let mtus = a.databaseDescriptions.filter { $0.mtu != 0 }
        if let low = mtus.min(by: { $0.mtu < $1.mtu }), let high = mtus.max(by: { $0.mtu < $1.mtu }), low.mtu != high.mtu {
            return .mtusDiffer(high: high.router, high.mtu, low: low.router, low.mtu)
        }
        return control.hellos.count < 2 ? .oneRouter : .noAdjacency
    }

    /// One row per router seen in Hellos: whether it reached database exchange.
    struct AdjacencyRow {
        var router: Router
        var area: IPv4Address
        var databaseMTU: UInt16?
        /// A neighbour it lists lists it too.
        var twoWay: Bool
        var state: RouteState { databaseMTU != nil || twoWay ? .present : .missing }
    }

    func adjacencyRows() -> [AdjacencyRow] {
        control.hellos.keys.sorted().map { rid in
            let twoWay = (control.helloNeighbours[rid] ?? []).contains { control.helloNeighbours[$0]?.contains(rid) == true }
            return AdjacencyRow(router: router(rid), area: control.hellos[rid]![0].area, databaseMTU: control.databaseDescriptions[rid]?.mtu, twoWay: twoWay)
        }
    }

    // MARK: ospf.routes

    enum RouteReason {
        /// An ASBR's external or an ABR's summary default: no container subnet, and overlaps none.
        case defaultRoute(lsaType: UInt16)
        case own(lsaType: UInt16)
        /// RFC 2328 §12.4.3: an ABR passes the owner's subnet into another area (type 3).
        case summarised(owner: Int)
        case advertisedByAnother(owner: Int)
        case overlaps(Int)
        case notInRouterLSA
    }

    /// One row of the OSPF advertisements table.
    struct Route {
        var state: RouteState
        var router: Router
        var prefix: IPPrefix
        var reason: RouteReason
    }

    /// ospf.routes: each host advertises its container subnet, and no router advertises another's.
    struct Routes: CheckOutcome {
        var id: CheckID { .ospfRoutes }
        var status: CheckStatus { !sawLSA ? .skip : rows.contains { $0.state != .present } ? .fail : .pass }
        var sawOSPF: Bool
        var sawLSA: Bool
        /// In the order the LSAs came; the wording sorts them as the tables read.
        var rows: [Route] = []
        /// Each cited LSA with its row.
        var evidence = EvidenceList<Route>()
    }

    func ospfRoutes() -> Routes {
        var out = Routes(sawOSPF: control.ospfFrames > 0, sawLSA: !control.advertisements.isEmpty || !control.routerLSAOrigins.isEmpty)
        func add(_ row: Route, cite ref: FrameRef? = nil) {
            out.rows.append(row)
            if let ref { out.evidence.add(ref, row) }
        }
        for (key, value) in control.advertisements.sorted(byFrame: \.value.ref, then: \.key) {
            let advertiser = node(ofRouter: key.router)
            let r = router(key.router)
            if key.prefix.length == 0 {
                add(Route(state: .present, router: r, prefix: key.prefix, reason: .defaultRoute(lsaType: value.lsaType)))
            } else if let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containers == .some(key.prefix) }) {
                if advertiser == owner {
                    add(Route(state: .present, router: r, prefix: key.prefix, reason: .own(lsaType: value.lsaType)))
                } else if value.lsaType == 3 {
                    add(Route(state: .present, router: r, prefix: key.prefix, reason: .summarised(owner: owner)))
                } else {
                    add(Route(state: .extra, router: r, prefix: key.prefix, reason: .advertisedByAnother(owner: owner)), cite: value.ref)
                }
            } else if let overlapped = topology.nodes.indices.first(where: { topology.nodes[$0].containers.map { $0.overlaps(key.prefix) } ?? false }) {
                add(Route(state: .extra, router: r, prefix: key.prefix, reason: .overlaps(overlapped)), cite: value.ref)
            }
        }
        // Planned hosts that originate a Router-LSA but do not advertise their own subnet.
        for (rid, ref) in control.routerLSAOrigins.sorted(byFrame: \.value, then: \.key) {
            guard let n = node(ofRouter: rid), let subnet = topology.nodes[n].containers else { continue }
            if !control.advertisements.keys.contains(where: { $0.prefix == subnet && node(ofRouter: $0.router) == n }) {
                add(Route(state: .missing, router: router(rid), prefix: subnet, reason: .notInRouterLSA), cite: ref)
            }
        }
        return out
    }
}
