// OSPF links as the captures show them, and how far each adjacency got
// (RFC 2328 §10): what ospf.adjacency judges and the report's link table.

import CrosswireDecoder
import CrosswireVerdict

/// One OSPF link seen at one capture: the interfaces whose Hellos share a subnet (or the
/// capture's point-to-point link, mask 0 or /32: ptp and unnumbered), joined where
/// their routers list each other.
struct OSPFLink {
    var capture: CaptureID
    /// "192.168.57.0/24" or "point-to-point".
    var name: String
    var pointToPoint: Bool
    var interfaces: [ControlPlaneFindings.InterfaceKey]
}

/// What one link shows: its problems, a line for the summary, and its report row.
struct OSPFLinkJudgement {
    var problems: [String] = []
    var evidence = EvidenceList()
    var note: String?
    /// A link with one router only.
    var single: String?
    var row: OSPFLinkRow
}

extension OSPFChecks {
    func ospfLinks() -> [OSPFLink] {
        struct LinkID: Hashable, Comparable {
            var capture: CaptureID
            var name: String
            static func < (a: Self, b: Self) -> Bool { (a.capture.index, a.name) < (b.capture.index, b.name) }
        }
        let keys = control.interfaces.keys.sorted()
        var linkOf: [ControlPlaneFindings.InterfaceKey: LinkID] = [:]
        for k in keys {
            guard let h = control.interfaces[k]?.hello else { continue }
            var name = "point-to-point"
            if let m = h.mask, m.rawValue != 0, m.rawValue != .max, case .v4(let a) = k.source {
                name = "\(IPv4Address(rawValue: a.rawValue & m.rawValue))/\(m.rawValue.nonzeroBitCount)"
            }
            linkOf[k] = LinkID(capture: k.capture, name: name)
        }
        // Interfaces seen only in DBDs or LS packets join their router's link in that capture.
        for k in keys where linkOf[k] == nil {
            if let other = keys.first(where: { $0.capture == k.capture && $0.router == k.router && linkOf[$0] != nil }) {
                linkOf[k] = linkOf[other]
            }
        }
        // A router's Hello listing a neighbour seen in this capture on another subnet joins the two
        // (a mask or address mismatch on one wire): with the neighbour's interfaces that list it
        // back, or its only one. The smaller name names the link.
        var parent: [LinkID: LinkID] = [:]
        func find(_ l: LinkID) -> LinkID {
            var l = l
            while let p = parent[l], p != l { l = p }
            return l
        }
        for (k, neighbours) in control.interfaceNeighbours.sorted(by: { $0.key < $1.key }) {
            guard let mine = linkOf[k] else { continue }
            for n in neighbours.sorted() {
                let theirs = keys.filter { $0.capture == k.capture && $0.router == n && linkOf[$0] != nil }
                guard !theirs.contains(where: { linkOf[$0] == mine }) else { continue }
                let back = theirs.filter { control.interfaceNeighbours[$0]?.contains(k.router) == true }
                for other in back.isEmpty && theirs.count == 1 ? theirs : back {
                    let (a, b) = (find(mine), find(linkOf[other]!))
                    if a != b { parent[max(a, b)] = min(a, b) }
                }
            }
        }
        var links: [LinkID: [ControlPlaneFindings.InterfaceKey]] = [:]
        for k in keys { if let l = linkOf[k] { links[find(l), default: []].append(k) } }
        return links.sorted { $0.key < $1.key }.map { id, interfaces in
            OSPFLink(capture: id.capture, name: id.name, pointToPoint: id.name == "point-to-point", interfaces: interfaces)
        }
    }

    func judge(_ link: OSPFLink) -> OSPFLinkJudgement {
        let captureName = findings.path(of: link.capture).split(separator: "/").last.map(String.init) ?? ""
        let place = "link \(link.name) (\(captureName))"
        let interfaces = link.interfaces.compactMap { k in control.interfaces[k].map { (key: k, value: $0) } }
        // Each router's first Hello on the link.
        var params: [(router: IPv4Address, hello: ControlPlaneFindings.HelloParameters, ref: FrameRef)] = []
        for i in interfaces where !params.contains(where: { $0.router == i.key.router }) {
            if let h = i.value.hello, let ref = i.value.firstHello { params.append((i.key.router, h, ref)) }
        }
        let routers = params.map(\.router)
        var j = OSPFLinkJudgement(row: OSPFLinkRow(link: link.name, capture: captureName, routers: routers.map(routerName), state: "one-way"))
        if let p = params.first {
            j.row.helloInterval = Int(p.hello.helloInterval)
            j.row.deadInterval = Int(p.hello.deadInterval)
        }
        var fields: [(String, (ControlPlaneFindings.HelloParameters) -> String)] = [
            ("area", { $0.area.description }), ("hello", { "\($0.helloInterval)" }), ("dead", { "\($0.deadInterval)" }),
        ]
        // RFC 2328 §10.5: the mask is not compared on point-to-point links.
        if !link.pointToPoint { fields.append(("mask", { $0.mask?.description ?? "-" })) }
        for (field, value) in fields where Set(params.map { value($0.hello) }).count > 1 {
            j.problems.append("routers on \(place) disagree on \(field): " + params.map { "\(routerName($0.router))=\(value($0.hello))" }.joined(separator: ", "))
            for p in params { j.evidence.add(p.ref, "Hello from \(routerName(p.router)) on \(place): \(field) \(value(p.hello))") }
        }
        // DBD interface MTUs (RFC 2328 §10.6) are compared within the link.
        var mtus: [IPv4Address: Set<UInt16>] = [:]
        for i in interfaces {
            for m in [i.value.mtu, i.value.otherMTU].compactMap({ $0 }) { mtus[i.key.router, default: []].insert(m) }
        }
        let allMTUs = mtus.values.reduce(into: Set<UInt16>()) { $0.formUnion($1) }
        j.row.mtus = allMTUs.sorted().map(Int.init)
        if allMTUs.count > 1 {
            j.problems.append("DBD interface MTUs differ on \(place): " + mtus.sorted { $0.key < $1.key }.map { r, m in
                "\(routerName(r)) \(m.sorted().map(String.init).joined(separator: "/"))"
            }.joined(separator: ", "))
            for i in interfaces { if let ref = i.value.dbd { j.evidence.add(ref, "Database Description from \(routerName(i.key.router)) with interface MTU \(i.value.mtu ?? 0)") } }
        }
        guard routers.count > 1 else {
            j.single = routers.first.map { "\(routerName($0)) on \(place)" }
            j.row.state = "single router"
            return j
        }
        // RFC 2328 §10.5: a router that lists the other in its Hellos has seen it (2-Way when both do).
        func listed(_ r: IPv4Address) -> Set<IPv4Address> {
            link.interfaces.filter { $0.router == r }.reduce(into: Set()) { $0.formUnion(control.interfaceNeighbours[$1] ?? []) }
        }
        let twoWay = routers.allSatisfy { r in !listed(r).isDisjoint(with: routers.filter { $0 != r }) }
        let dbdFrom = Set(interfaces.filter { $0.value.dbd != nil }.map(\.key.router))
        let linkState = interfaces.reduce(0) { $0 + $1.value.linkStatePackets }
        if !twoWay && dbdFrom.count < 2 {
            let listing = routers.filter { !listed($0).isEmpty }
            j.row.state = listing.isEmpty ? "no neighbour listed" : "one-way"
            j.problems.append("Hellos from \(routers.map(routerName).joined(separator: ", ")) on \(place) but they do not list each other ("
                + (listing.isEmpty ? "no neighbour listed" : "one-way: only \(listing.map(routerName).joined(separator: ", ")) lists a neighbour") + ")")
            j.evidence.add(params[0].ref, "Hello from \(routerName(params[0].router)) without the other router")
            return j
        }
        j.row.state = dbdFrom.count >= 2 ? (linkState > 0 ? "full exchange seen" : "exchange seen") : "two-way"
        var roles = ""
        if !link.pointToPoint, let dr = interfaces.last(where: { $0.value.dr != .any })?.value {
            // DR and BDR are interface addresses: named by the router whose Hellos come from them.
            let byAddress = { (a: IPv4Address) in
                interfaces.first { $0.key.source == .v4(a) }.map { routerName($0.key.router) } ?? a.description
            }
            j.row.designatedRouter = byAddress(dr.dr)
            j.row.backupDesignatedRouter = dr.bdr == .any ? nil : byAddress(dr.bdr)
            roles = ", DR \(byAddress(dr.dr)), BDR \(dr.bdr == .any ? "none" : byAddress(dr.bdr))"
        } else if !link.pointToPoint && dbdFrom.count < 2 {
            // In steady state a DR shows the adjacency on a broadcast link; DBDs from both show it too.
            j.problems.append("no DR elected on broadcast \(place) (every Hello has DR 0.0.0.0)")
            j.evidence.add(params[0].ref, "Hello from \(routerName(params[0].router)) with DR 0.0.0.0")
            return j
        }
        let state = j.row.state == "two-way" ? "2-Way (from Hellos), DBD not seen, MTU not compared" : j.row.state
        let p = params[0].hello
        j.note = "\(place): \(routers.map(routerName).joined(separator: ", ")) \(state)\(roles), hello \(p.helloInterval) dead \(p.deadInterval)"
            + (allMTUs.isEmpty ? "" : ", MTU " + allMTUs.sorted().map(String.init).joined(separator: "/"))
        return j
    }
}
