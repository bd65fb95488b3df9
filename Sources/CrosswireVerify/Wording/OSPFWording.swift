// ospf.adjacency and ospf.routes in words, their hints in the words of bird/FRR, and
// the OSPF tables of the verdict (links, adjacencies, advertisements).

import CrosswireDecoder
import CrosswireVerdict

extension Sentences {
    /// `host1 (192.168.56.119)`, or `router 10.0.0.9` when no planned node has that id.
    func router(_ r: OSPFChecks.Router) -> String { r.node.map { "\(name($0)) (\(r.id))" } ?? "router \(r.id)" }

    func routers(_ rs: [OSPFChecks.Router]) -> String { rs.map(router).joined(separator: ", ") }

    /// `192.168.57.0/24` or `point-to-point`.
    func linkName(_ link: OSPFLink) -> String {
        switch link.name {
        case .subnet(let network, let bits): "\(network)/\(bits)"
        case .pointToPoint: "point-to-point"
        }
    }

    func captureName(_ link: OSPFLink) -> String { path(link.capture).split(separator: "/").last.map(String.init) ?? "" }

    /// `link 192.168.57.0/24 (host1-eth1.pcap)`.
    func place(_ link: OSPFLink) -> String { "link \(linkName(link)) (\(captureName(link)))" }

    /// A link's row of the verdict's OSPF link table.
    func row(_ j: OSPFLinkJudgement) -> OSPFLinkRow {
        var row = OSPFLinkRow(link: linkName(j.link), capture: captureName(j.link), routers: j.routers.map(router), state: state(j.state))
        if let first = j.hellos.first {
            row.helloInterval = Int(first.hello.helloInterval)
            row.deadInterval = Int(first.hello.deadInterval)
        }
        row.designatedRouter = j.designatedRouter.map(role)
        row.backupDesignatedRouter = j.backupDesignatedRouter.map(role)
        row.mtus = j.mtus.map(Int.init)
        return row
    }

    func state(_ s: OSPFLinkJudgement.State) -> String {
        switch s {
        case .singleRouter: "single router"
        case .noNeighbourListed: "no neighbour listed"
        case .oneWay: "one-way"
        case .twoWay: "two-way"
        case .exchangeSeen: "exchange seen"
        case .fullExchangeSeen: "full exchange seen"
        }
    }

    func role(_ r: OSPFLinkJudgement.Role) -> String {
        switch r {
        case .router(let r): router(r)
        case .address(let a): a.description
        }
    }

    /// A router's row of the verdict's OSPF adjacency table.
    func row(_ a: OSPFChecks.AdjacencyRow) -> RouteRow {
        RouteRow(
            state: a.state, speaker: router(a.router), prefix: "area \(a.area)",
            detail: a.databaseMTU.map { "database exchange, MTU \($0)" } ?? (a.twoWay ? "2-Way from Hellos, DBD not seen" : "Hellos only, no database exchange"))
    }

    /// The advertisements with their table rows, as the tables read: missing, extra, present; then router and prefix.
    func rows(_ routes: [OSPFChecks.Route]) -> [(route: OSPFChecks.Route, row: RouteRow)] {
        let order: [RouteState: Int] = [.missing: 0, .extra: 1, .present: 2]
        return routes.map { r in
            (r, RouteRow(state: r.state, speaker: router(r.router), prefix: r.prefix.description, detail: detail(r.reason)))
        }.sorted { (order[$0.row.state] ?? 9, $0.row.speaker, $0.row.prefix) < (order[$1.row.state] ?? 9, $1.row.speaker, $1.row.prefix) }
    }

    func detail(_ reason: OSPFChecks.RouteReason) -> String {
        switch reason {
        case .defaultRoute(let type): "default route (LSA type \(type)), not a container subnet"
        case .own(let type): "LSA type \(type)"
        case .summarised(let owner): "\(name(owner))'s subnet summarised between areas (LSA type 3)"
        case .advertisedByAnother(let owner): "\(name(owner))'s subnet advertised by another router"
        case .overlaps(let n): "overlaps \(name(n))'s containers \(topology.nodes[n].containers!)"
        case .notInRouterLSA: "Router-LSA without the host's container subnet"
        }
    }
}

extension OSPFChecks.Adjacency {
    func worded(_ w: Sentences) -> CheckResult {
        let planned = w.plan.routing.ospf
        var parts: [String] = []
        if let area = planned?.area { parts.append("area \(IPv4Address(rawValue: area))") }
        if let h = planned?.helloInterval { parts.append("hello \(h)s") }
        if let d = planned?.deadInterval { parts.append("dead \(d)s") }
        let expected = "neighbours agree on area, mask, hello/dead intervals and MTU, and exchange databases" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        guard sawOSPF else { return w.result(self, "no OSPF traffic in the captures", expected: expected) }
        let observed = hellos.map { r, h in
            "\(w.router(r)) Hello: area \(h.area), \(h.mask.map { "mask \($0), " } ?? "")hello \(h.helloInterval)s, dead \(h.deadInterval)s (\(w.place(h.refs[0])))"
        } + databaseDescriptions.map { "\(w.router($0.router)) DBD: interface MTU \($0.mtu) (\(w.place($0.ref)))" }
        let problems = mismatches.map { "\(w.router($0.router)): " + wrong($0.wrong) } + links.flatMap { j in j.problems.map { problem($0, j, w) } }
        let summary: String
        switch status {
        case .fail: summary = problems.joined(separator: "; ")
        case .warn where hellos.isEmpty: summary = "OSPF packets but no Hello: neighbours not judged"
        case .warn:
            let only = singles(w).isEmpty ? (hellos.first.map { w.router($0.router) } ?? "one router") : singles(w).joined(separator: "; ")
            summary = "Hellos from a single router only (\(only)): no neighbour seen"
        default: summary = (links.filter(\.formed).map { line($0, w) } + singles(w).map { "single router: \($0)" }).joined(separator: "; ")
        }
        return w.result(self, summary, expected: expected, observed: observed, evidence: evidence, detail: { note($0, w) }, hint: hint(w))
    }

    func wrong(_ m: [OSPFChecks.Mismatch]) -> String {
        m.map { m in
            switch m {
            case .area(let seen, let planned): "area \(seen), planned \(planned)"
            case .hello(let seen, let planned): "hello \(seen)s, planned \(planned)s"
            case .dead(let seen, let planned): "dead \(seen)s, planned \(planned)s"
            }
        }.joined(separator: ", ")
    }

    /// Links with one router only: `host1 (…) on link … (…)`.
    func singles(_ w: Sentences) -> [String] {
        links.filter { $0.state == .singleRouter }.compactMap { j in j.routers.first.map { "\(w.router($0)) on \(w.place(j.link))" } }
    }

    /// A formed adjacency's line: its routers, how far they got, DR/BDR, intervals and MTUs.
    func line(_ j: OSPFLinkJudgement, _ w: Sentences) -> String {
        let state = j.state == .twoWay ? "2-Way (from Hellos), DBD not seen, MTU not compared" : w.state(j.state)
        let roles = j.designatedRouter.map { ", DR \(w.role($0)), BDR \(j.backupDesignatedRouter.map(w.role) ?? "none")" } ?? ""
        let p = j.hellos[0].hello
        return "\(w.place(j.link)): \(w.routers(j.routers)) \(state)\(roles), hello \(p.helloInterval) dead \(p.deadInterval)"
            + (j.mtus.isEmpty ? "" : ", MTU " + j.mtus.map(String.init).joined(separator: "/"))
    }

    func value(_ field: OSPFLinkJudgement.Field, _ h: ControlPlaneFindings.HelloParameters) -> String {
        switch field {
        case .area: h.area.description
        case .hello: "\(h.helloInterval)"
        case .dead: "\(h.deadInterval)"
        case .mask: h.mask?.description ?? "-"
        }
    }

    func problem(_ p: OSPFLinkJudgement.Problem, _ j: OSPFLinkJudgement, _ w: Sentences) -> String {
        let place = w.place(j.link)
        switch p {
        case .disagree(let field, let hellos):
            return "routers on \(place) disagree on \(field): " + hellos.map { "\(w.router($0.router))=\(value(field, $0.hello))" }.joined(separator: ", ")
        case .mtusDiffer(let mtus):
            return "DBD interface MTUs differ on \(place): " + mtus.map { "\(w.router($0.router)) \($0.mtus.map(String.init).joined(separator: "/"))" }.joined(separator: ", ")
        case .notListed(let listing):
            return "Hellos from \(w.routers(j.routers)) on \(place) but they do not list each other ("
                + (listing.isEmpty ? "no neighbour listed" : "one-way: only \(w.routers(listing)) lists a neighbour") + ")"
        case .noDesignatedRouter:
            return "no DR elected on broadcast \(place) (every Hello has DR 0.0.0.0)"
        }
    }

    func note(_ n: OSPFChecks.AdjacencyNote, _ w: Sentences) -> String {
        switch n {
        case .planned(let r, let m): "Hello from \(w.router(r)): " + wrong(m)
        case .link(let link, .disagree(let r, let field, let h)): "Hello from \(w.router(r)) on \(w.place(link)): \(field) \(value(field, h))"
        case .link(_, .databaseDescription(let r, let mtu)): "Database Description from \(w.router(r)) with interface MTU \(mtu ?? 0)"
        case .link(_, .withoutOther(let r)): "Hello from \(w.router(r)) without the other router"
        case .link(_, .noDesignatedRouter(let r)): "Hello from \(w.router(r)) with DR 0.0.0.0"
        }
    }

    func hint(_ w: Sentences) -> String {
        func intervals(_ hello: Int, _ dead: Int) -> String {
            "bird `hello \(hello); dead \(dead);` in its OSPF interface block (FRR `ip ospf hello-interval \(hello)`, `ip ospf dead-interval \(dead)`)"
        }
        switch cause {
        case .area(let r, let seen, let planned):
            return "\(w.router(r)) runs area \(seen): bird `area \(planned) { … }` (FRR `network … area \(planned)`)"
        case .intervals(let r, let hello, let dead):
            return "on \(w.router(r)) set \(intervals(hello, dead)), as planned"
        case .areasDiffer(let r1, let a, let r2, let b):
            return "\(w.router(r1)) runs area \(a.area), \(w.router(r2)) area \(b.area): one `area` for the link on both (bird `area … { interface … }`)"
        case .intervalsDiffer(let r1, let a, let r2, let b):
            return "\(w.router(r1)) sends hello/dead \(a.helloInterval)/\(a.deadInterval) s, \(w.router(r2)) \(b.helloInterval)/\(b.deadInterval) s: the same on both, e.g. \(intervals(Int(a.helloInterval), Int(a.deadInterval)))"
        case .mtusDiffer(let high, let highMTU, let low, let lowMTU):
            return "interface MTUs differ (\(w.router(high)) \(highMTU), \(w.router(low)) \(lowMTU)): `ip link set dev IFACE mtu \(lowMTU)` on \(w.router(high)) (or the other way round), or FRR `ip ospf mtu-ignore`"
        case .oneRouter:
            return "Hellos from one router only: OSPF is not enabled on the neighbour's interface (bird `interface \"IFACE\"` in the area, FRR `network … area …`), or IP protocol 89 to 224.0.0.5 is dropped between them (`iptables -I INPUT -p 89 -j ACCEPT`)"
        case .noAdjacency:
            return "routers hear each other but form no adjacency: they must list each other in their Hellos (authentication, `iptables -I INPUT -p 89 -j ACCEPT` on both), and on a broadcast link one needs priority above 0 (bird `priority 1;`, FRR `ip ospf priority 1`)"
        }
    }
}

extension OSPFChecks.Routes {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "each host advertises its container subnet, and no router advertises another's"
        guard sawLSA else { return w.result(self, sawOSPF ? "no LSA in the captures" : "no OSPF traffic in the captures", expected: expected) }
        let rows = w.rows(self.rows)
        let observed = rows.map { "\($0.row.state): \($0.row.speaker) \($0.row.prefix)\($0.row.detail.map { " (\($0))" } ?? "")" }
        let wrong = rows.filter { $0.row.state != .present }
        let summary: String
        if !wrong.isEmpty {
            summary = wrong.map { "\($0.row.state) \($0.row.prefix) (\($0.row.speaker))" }.joined(separator: ", ")
        } else if rows.isEmpty {
            summary = "LSAs seen; none advertises or overlaps a container subnet wrongly"
        } else {
            let defaults = rows.filter { $0.route.prefix.length == 0 }.map(\.row)
            let subnets = rows.filter { $0.route.prefix.length != 0 }.map(\.row)
            summary = "\(subnets.count) container subnets advertised: " + subnets.map { "\($0.prefix) by \($0.speaker)" }.joined(separator: ", ")
                + (defaults.isEmpty ? "" : "; default route from " + defaults.map { "\($0.speaker) (\($0.detail ?? ""))" }.joined(separator: ", "))
        }
        return w.result(
            self, summary, expected: expected, observed: observed, evidence: evidence, detail: { note($0, w) }, hint: wrong.first.map { hint($0, w) })
    }

    func note(_ r: OSPFChecks.Route, _ w: Sentences) -> String {
        switch r.reason {
        case .advertisedByAnother(let owner): "\(w.router(r.router)) advertises \(w.name(owner))'s subnet \(r.prefix)"
        case .overlaps(let n): "\(w.router(r.router)) advertises \(r.prefix), which overlaps \(w.name(n))'s containers without being them"
        default: "\(w.router(r.router))'s Router-LSA does not advertise its containers \(r.prefix)"
        }
    }

    func hint(_ r: (route: OSPFChecks.Route, row: RouteRow), _ w: Sentences) -> String {
        let area = w.plan.routing.ospf?.area.map { IPv4Address(rawValue: $0).description } ?? "0.0.0.0"
        let (who, prefix) = (r.row.speaker, r.row.prefix)
        guard r.row.state == .missing else {
            return "\(who) advertises \(prefix) (\(r.row.detail ?? "not its own")): remove that interface or `stubnet` from its OSPF area (FRR `no network \(prefix) area \(area)`), or correct that host's `bip`"
        }
        return "\(who) does not advertise its containers \(prefix): bird `interface \"docker0\" { stub yes; };` in `area \(area)` (FRR `network \(prefix) area \(area)`)"
    }
}
