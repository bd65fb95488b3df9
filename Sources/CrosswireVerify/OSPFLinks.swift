// OSPF links as the captures show them, and how far each adjacency got
// (RFC 2328 §10): what ospf.adjacency judges and the report's link table.

import CrosswireDecoder
import CrosswireVerdict

/// One OSPF link seen at one capture: the interfaces whose Hellos share a subnet (or the
/// capture's point-to-point link, mask 0 or /32: ptp and unnumbered), joined where
/// their routers list each other.
struct OSPFLink {
    /// A link is named by its subnet, or is the capture's point-to-point link.
    enum Name: Hashable, Comparable {
        /// The Hello's address under its mask, and the mask's bits.
        case subnet(IPv4Address, bits: Int)
        case pointToPoint

        /// As the written names sort (`192.168.57.0/24` before `point-to-point`).
        static func < (a: Self, b: Self) -> Bool {
            switch (a, b) {
            case (.subnet(let x, let m), .subnet(let y, let n)): (x.description, String(m)) < (y.description, String(n))
            case (.subnet, .pointToPoint): true
            default: false
            }
        }
    }
    var capture: CaptureID
    var name: Name
    var pointToPoint: Bool { name == .pointToPoint }
    var interfaces: [ControlPlaneFindings.InterfaceKey]
}

/// What one link shows: how far its adjacency got, what disagrees, and the cited frames.
struct OSPFLinkJudgement {
    /// How far the routers of a link got (RFC 2328 §10.1).
    enum State { case singleRouter, noNeighbourListed, oneWay, twoWay, exchangeSeen, fullExchangeSeen }
    /// A Hello field the routers of a link must agree on (RFC 2328 §10.5).
    enum Field { case area, hello, dead, mask }

    enum Problem {
        case disagree(Field, [(router: OSPFChecks.Router, hello: ControlPlaneFindings.HelloParameters)])
        case mtusDiffer([(router: OSPFChecks.Router, mtus: [UInt16])])
        /// Hellos from several routers that do not list each other; `listing` lists a neighbour.
        case notListed(listing: [OSPFChecks.Router])
        case noDesignatedRouter

        /// The adjacency stopped here: the link gets no line of its own.
        var stops: Bool {
            switch self {
            case .notListed, .noDesignatedRouter: true
            default: false
            }
        }
    }

    /// What a cited frame shows.
    enum Note {
        case disagree(OSPFChecks.Router, Field, ControlPlaneFindings.HelloParameters)
        case databaseDescription(OSPFChecks.Router, mtu: UInt16?)
        case withoutOther(OSPFChecks.Router)
        case noDesignatedRouter(OSPFChecks.Router)
    }

    /// A DR or BDR: an interface address, by the router whose Hellos come from it.
    enum Role { case router(OSPFChecks.Router), address(IPv4Address) }

    var link: OSPFLink
    /// Each router with its first Hello on the link.
    var hellos: [(router: OSPFChecks.Router, hello: ControlPlaneFindings.HelloParameters, ref: FrameRef)] = []
    var routers: [OSPFChecks.Router] { hellos.map(\.router) }
    var state = State.oneWay
    var designatedRouter: Role?
    var backupDesignatedRouter: Role?
    var mtus: [UInt16] = []
    var problems: [Problem] = []
    var evidence = EvidenceList<Note>()

    /// Two routers or more that reached 2-Way or further: the summary's line for the link.
    var formed: Bool { hellos.count > 1 && !problems.contains(where: \.stops) }
}

extension OSPFChecks {
    func ospfLinks() -> [OSPFLink] {
        struct LinkID: Hashable, Comparable {
            var capture: CaptureID
            var name: OSPFLink.Name
            static func < (a: Self, b: Self) -> Bool { a.capture.index != b.capture.index ? a.capture.index < b.capture.index : a.name < b.name }
        }
        let keys = control.interfaces.keys.sorted()
        var linkOf: [ControlPlaneFindings.InterfaceKey: LinkID] = [:]
        for k in keys {
            guard let h = control.interfaces[k]?.hello else { continue }
            var name = OSPFLink.Name.pointToPoint
            if let m = h.mask, m.rawValue != 0, m.rawValue != .max, case .v4(let a) = k.source {
                name = .subnet(IPv4Address(rawValue: a.rawValue & m.rawValue), bits: m.rawValue.nonzeroBitCount)
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
        return links.sorted { $0.key < $1.key }.map { id, interfaces in OSPFLink(capture: id.capture, name: id.name, interfaces: interfaces) }
    }

    func judge(_ link: OSPFLink) -> OSPFLinkJudgement {
        var j = OSPFLinkJudgement(link: link)
        let interfaces = link.interfaces.compactMap { k in control.interfaces[k].map { (key: k, value: $0) } }
        // Each router's first Hello on the link.
        for i in interfaces where !j.hellos.contains(where: { $0.router.id == i.key.router }) {
            if let h = i.value.hello, let ref = i.value.firstHello { j.hellos.append((router(i.key.router), h, ref)) }
        }
        let routers = j.hellos.map(\.router.id)
        // RFC 2328 §10.5: the mask is not compared on point-to-point links.
        let fields: [OSPFLinkJudgement.Field] = link.pointToPoint ? [.area, .hello, .dead] : [.area, .hello, .dead, .mask]
        for field in fields where Set(j.hellos.map { $0.hello.value(field) }).count > 1 {
            j.problems.append(.disagree(field, j.hellos.map { ($0.router, $0.hello) }))
            for p in j.hellos { j.evidence.add(p.ref, .disagree(p.router, field, p.hello)) }
        }
        // DBD interface MTUs (RFC 2328 §10.6) are compared within the link.
        var mtus: [IPv4Address: Set<UInt16>] = [:]
        for i in interfaces {
            for m in [i.value.mtu, i.value.otherMTU].compactMap({ $0 }) { mtus[i.key.router, default: []].insert(m) }
        }
        j.mtus = mtus.values.reduce(into: Set<UInt16>()) { $0.formUnion($1) }.sorted()
        if j.mtus.count > 1 {
            j.problems.append(.mtusDiffer(mtus.sorted { $0.key < $1.key }.map { (router($0.key), $0.value.sorted()) }))
            for i in interfaces where i.value.dbd != nil { j.evidence.add(i.value.dbd!, .databaseDescription(router(i.key.router), mtu: i.value.mtu)) }
        }
        guard routers.count > 1 else {
            j.state = .singleRouter
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
            let listing = j.hellos.map(\.router).filter { !listed($0.id).isEmpty }
            j.state = listing.isEmpty ? .noNeighbourListed : .oneWay
            j.problems.append(.notListed(listing: listing))
            j.evidence.add(j.hellos[0].ref, .withoutOther(j.hellos[0].router))
            return j
        }
        j.state = dbdFrom.count >= 2 ? (linkState > 0 ? .fullExchangeSeen : .exchangeSeen) : .twoWay
        if !link.pointToPoint, let dr = interfaces.last(where: { $0.value.dr != .any })?.value {
            // DR and BDR are interface addresses: named by the router whose Hellos come from them.
            let byAddress = { (a: IPv4Address) in
                interfaces.first { $0.key.source == .v4(a) }.map { OSPFLinkJudgement.Role.router(router($0.key.router)) } ?? .address(a)
            }
            j.designatedRouter = byAddress(dr.dr)
            j.backupDesignatedRouter = dr.bdr == .any ? nil : byAddress(dr.bdr)
        } else if !link.pointToPoint && dbdFrom.count < 2 {
            // In steady state a DR shows the adjacency on a broadcast link; DBDs from both show it too.
            j.problems.append(.noDesignatedRouter)
            j.evidence.add(j.hellos[0].ref, .noDesignatedRouter(j.hellos[0].router))
        }
        return j
    }
}

extension ControlPlaneFindings.HelloParameters {
    /// A field as a number, for comparing routers (no mask is a value of its own).
    func value(_ field: OSPFLinkJudgement.Field) -> UInt64 {
        switch field {
        case .area: UInt64(area.rawValue)
        case .hello: UInt64(helloInterval)
        case .dead: UInt64(deadInterval)
        case .mask: mask.map { UInt64($0.rawValue) } ?? 1 << 40
        }
    }
}
