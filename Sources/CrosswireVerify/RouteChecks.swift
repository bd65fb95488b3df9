// route.nexthop, route.errors and route.symmetry.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct RouteChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [routeNextHop(), routeErrors(), routeSymmetry()]) }

    /// The MAC of a planned address: the plan's, else the one ARP showed.
    func mac(of address: IPAddress) -> MACAddress? {
        if let n = topology.node(at: address), let mac = topology.nodes[n].mac { return mac }
        return findings.arp.mac(of: address)
    }

    /// A MAC and whose it is: a node (by the plan or ARP), else the address ARP showed for it.
    struct MACOwner { var mac: MACAddress; var node: Int?; var address: IPAddress? }

    func owner(of mac: MACAddress) -> MACOwner {
        let node = topology.node(withPlannedMAC: mac) ?? node(sendingFrom: mac)
        return MACOwner(mac: mac, node: node, address: node == nil ? findings.arp.addresses(of: mac).first : nil)
    }

    // MARK: route.nexthop

    /// A frame that left a planned node the wrong way.
    enum Detour {
        /// In a bridged plan, sent to a router.
        case routedInBridged(sender: Int, destination: IPAddress, router: Int, routerMAC: MACOwner)
        /// A tunnel to another endpoint than the planned next hop.
        case wrongTunnel(sender: Int, destination: IPAddress, outer: IPAddress, via: IPAddress)
        /// Sent to another MAC than the planned next hop's.
        case wrongMAC(sender: Int, destination: IPAddress, to: MACOwner, via: IPAddress, planned: MACAddress, frames: Int)
        /// In a bridged plan, packets that lost TTL between two points.
        case lostTTL(Int)
    }

    /// A frame route.nexthop cites: its detour, or a packet matched at two points.
    enum NextHopNote {
        case detour(Detour)
        case matched(NATNote)
    }

    /// What to change, from the first group of frames the check cites.
    enum NextHopCause {
        case routedInBridged(sender: Int, destination: IPAddress, router: Int?)
        case wrongTunnel(EncapChecks.WrongEndpoint)
        case wrongRoute(sender: Int, destination: IPAddress, to: MACOwner, via: IPAddress)
        case lostTTL
    }

    /// route.nexthop: frames leaving planned nodes, against the planned next hops.
    struct NextHop: CheckOutcome {
        enum Unjudged { case noCrossHostTraffic, noEthernet, unknownMACs, nothingLeaves }
        var id: CheckID { .routeNextHop }
        var status: CheckStatus { !evidence.isEmpty ? .fail : judged > 0 ? .pass : .skip }
        var detours: [Detour] = []
        var judged = 0
        var evidence = EvidenceList<NextHopNote>()
        var unjudged: Unjudged = .nothingLeaves
        var cause: NextHopCause?
    }

    func routeNextHop() -> NextHop {
        var out = NextHop()
        var unknownSender = 0, unknownNextHop = 0
        let groups = findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { String(describing: $0.key) })
        for (key, group) in groups {
            guard let sender = node(sendingFrom: key.sourceMAC) else { unknownSender += group.count; continue }
            let owner = Int(key.owner)
            if sender == owner { continue }  // delivered by the owning host itself
            var detour: Detour?
            if plan.transport.mode == .bridged {
                if let receiver = node(sendingFrom: key.destinationMAC), topology.nodes[receiver].isRouter {
                    out.judged += group.count
                    detour = .routedInBridged(sender: sender, destination: group.destination, router: receiver, routerMAC: self.owner(of: key.destinationMAC))
                }
            } else if let via = plan.plannedNextHop(from: topology.nodes[sender].name, to: group.destination) {
                if let outer = key.outerDestination {
                    out.judged += group.count
                    // The underlay may be of the other family than the inner packet (VXLAN over IPv6):
                    // any address of the planned next hop's node is that next hop.
                    let sameNode = topology.node(at: outer).map { $0 == topology.node(at: via) } ?? false
                    if outer != via, !sameNode { detour = .wrongTunnel(sender: sender, destination: group.destination, outer: outer, via: via) }
                } else if let expectedMAC = mac(of: via) {
                    out.judged += group.count
                    if key.destinationMAC != expectedMAC {
                        detour = .wrongMAC(
                            sender: sender, destination: group.destination, to: self.owner(of: key.destinationMAC), via: via, planned: expectedMAC,
                            frames: group.count)
                    }
                } else {
                    unknownNextHop += group.count
                }
            } else {
                unknownNextHop += group.count
            }
            if let detour {
                out.detours.append(detour)
                for f in group.frames { out.evidence.add(f, .detour(detour)) }
            }
        }
        if plan.transport.mode == .bridged {
            let drops = findings.nat.ttlDrops
            if !drops.isEmpty {
                out.detours.append(.lostTTL(drops.total))
                out.evidence.merge(drops, NextHopNote.matched)
            }
            out.judged += findings.nat.unchangedMatches
        }
        if findings.traffic.crossHostFrames == 0 {
            out.unjudged = .noCrossHostTraffic
        } else if findings.nextHops.groups.isEmpty && findings.nextHops.withoutEthernet > 0 {
            out.unjudged = .noEthernet
        } else if unknownSender > 0 || unknownNextHop > 0 {
            out.unjudged = .unknownMACs
        }
        if !out.evidence.isEmpty { out.cause = nextHopCause(cited: Set(out.evidence.frames)) }
        return out
    }

    /// The first group of frames the check cites that says what to change.
    func nextHopCause(cited refs: Set<FrameRef>) -> NextHopCause? {
        let groups = findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { String(describing: $0.key) })
        for (key, group) in groups where !refs.isDisjoint(with: group.frames) {
            guard let sender = node(sendingFrom: key.sourceMAC) else { continue }
            if plan.transport.mode == .bridged {
                return .routedInBridged(sender: sender, destination: group.destination, router: node(sendingFrom: key.destinationMAC))
            }
            guard let via = plan.plannedNextHop(from: topology.nodes[sender].name, to: group.destination) else { continue }
            if let outer = key.outerDestination {
                return .wrongTunnel(EncapChecks.WrongEndpoint(sender: sender, destination: group.destination, wrong: outer, right: via))
            }
            return .wrongRoute(sender: sender, destination: group.destination, to: owner(of: key.destinationMAC), via: via)
        }
        return plan.transport.mode == .bridged && !findings.nat.ttlDrops.isEmpty ? .lostTTL : nil
    }

    // MARK: route.errors

    /// What to change after the first ICMP routing error.
    enum ErrorsCause {
        /// A loop, or time-exceeded about echo requests that were no traceroute.
        case loop
        case prohibited(sender: Int?, senderAddress: IPAddress, destination: IPAddress, fromSubnet: IPPrefix?)
        case timeExceeded(destination: IPAddress, owner: Int)
        case redirect(sender: Int?, senderAddress: IPAddress, destination: IPAddress, from: Int?, via: IPAddress)
        case noRoute(sender: Int?, senderAddress: IPAddress, destination: IPAddress, via: IPAddress)
    }

    /// A frame route.errors cites, with its analyser's note.
    enum ErrorNote {
        case icmp(ICMPNote)
        case loop(NATNote)
    }

    /// route.errors: ICMP routing errors and forwarding loops on container traffic.
    struct Errors: CheckOutcome {
        var id: CheckID { .routeErrors }
        var status: CheckStatus { containerFrames == 0 ? .skip : routingErrors + loops > 0 ? .fail : .pass }
        var containerFrames: Int
        var routingErrors = 0, loops = 0
        /// The first routing error kept.
        var firstError: ICMPNote?
        var probes = 0, notJudged = 0, portUnreachable = 0
        /// What was not a routing error, as the ICMP analyser kept it.
        var notErrors: [ICMPNote] = []
        var evidence = EvidenceList<ErrorNote>()
        var cause: ErrorsCause?
    }

    func routeErrors() -> Errors {
        var out = Errors(containerFrames: findings.traffic.containerFrames)
        guard out.containerFrames > 0 else { return out }
        let icmp = findings.icmp
        // Time-exceeded about echo requests: answers to mtr/traceroute -I when the sender probes with rising TTL.
        var routing = icmp.routingErrors
        var probes = icmp.probeAnswers.total
        for e in icmp.echoTimeExceeded {
            if icmp.isProbing(e.prober) { probes += 1 } else { routing.add(e.ref, e.note) }
        }
        out.evidence.merge(routing, ErrorNote.icmp)
        out.evidence.merge(findings.nat.loops, ErrorNote.loop)
        (out.routingErrors, out.loops, out.firstError) = (routing.total, findings.nat.loops.total, routing.notes.first)
        (out.probes, out.notJudged, out.portUnreachable) = (probes, icmp.notJudged.total, icmp.portUnreachable.total)
        out.notErrors = icmp.portUnreachable.notes + icmp.probeAnswers.notes + icmp.notJudged.notes
        if out.status == .fail { out.cause = errorsCause() }
        return out
    }

    func errorsCause() -> ErrorsCause? {
        guard let e = findings.icmp.firstRoutingError else { return .loop }
        let sender = topology.node(at: e.sender) ?? topology.owner(of: e.sender)
        guard let destination = e.quotedDestination, let owner = topology.owner(of: destination) else { return nil }
        if e.isProhibited {
            let from = e.quotedSource.flatMap { s in topology.owner(of: s).flatMap { o in topology.nodes[o].containerSubnets.first { $0.contains(s) } } }
            return .prohibited(sender: sender, senderAddress: e.sender, destination: destination, fromSubnet: from)
        }
        if e.isTimeExceeded { return .timeExceeded(destination: destination, owner: owner) }
        let ownerAddress = topology.nodes[owner].address
        if e.isRedirect {
            let from = e.quotedSource.flatMap { topology.owner(of: $0) ?? topology.node(at: $0) }
            let via = from.flatMap { plan.plannedNextHop(from: topology.nodes[$0].name, to: destination) } ?? ownerAddress
            return .redirect(sender: sender, senderAddress: e.sender, destination: destination, from: from, via: via)
        }
        let via = sender.flatMap { plan.plannedNextHop(from: topology.nodes[$0].name, to: destination) } ?? ownerAddress
        return .noRoute(sender: sender, senderAddress: e.sender, destination: destination, via: via)
    }
}

// MARK: route.symmetry

extension RouteChecks {
    /// The first hop each host's containers' packets take towards each other host's containers:
    /// [from host: [to host: next-hop nodes]], with a frame of each, from the frames the
    /// originating host itself sends (its MAC, and its containers' or its own address).
    func firstHops() -> [Int: [Int: (hops: Set<Int>, frames: [FrameRef])]] {
        var out: [Int: [Int: (hops: Set<Int>, frames: [FrameRef])]] = [:]
        for (key, group) in findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { String(describing: $0.key) }) {
            guard let sender = node(sendingFrom: key.sourceMAC) else { continue }
            let origin = key.outerDestination == nil ? topology.owner(of: key.sourceIP) : topology.node(at: key.sourceIP)
            let owner = Int(key.owner)
            guard origin == sender, sender != owner else { continue }
            let hop = key.outerDestination.flatMap { topology.node(at: $0) } ?? node(sendingFrom: key.destinationMAC)
            guard let hop else { continue }
            var entry = out[sender, default: [:]][owner] ?? ([], [])
            entry.hops.insert(hop)
            // One frame a direction: the first in the captures, whatever order they were read in.
            entry.frames = [min(entry.frames.first ?? group.least, group.least)]
            out[sender, default: [:]][owner] = entry
        }
        return out
    }

    /// A host pair whose two directions take different first hops, and the plan does not make them.
    struct Asymmetry {
        var a: Int, b: Int
        var forward: (hops: Set<Int>, frames: [FrameRef])
        var back: (hops: Set<Int>, frames: [FrameRef])
    }

    /// One direction between two hosts' containers: the first hops it takes.
    struct Direction { var from: Int, to: Int, via: Set<Int> }

    /// What to change: the host that does not go straight, towards the other's containers.
    struct SymmetryCause { var host: Int, other: Int, subnet: IPPrefix, plannedVia: IPAddress? }

    /// route.symmetry: host pairs seen both ways, and those whose two directions differ.
    struct Symmetry: CheckOutcome {
        var id: CheckID { .routeSymmetry }
        var status: CheckStatus { pairs == 0 ? .skip : asymmetric.isEmpty ? .pass : .warn }
        var pairs: Int
        var asymmetric: [(there: Direction, back: Direction)]
        var evidence = EvidenceList<Direction>()
        var cause: SymmetryCause?
    }

    /// The host pairs seen both ways (`pairs`), and those whose paths differ against the plan.
    func asymmetries() -> (pairs: Int, asymmetric: [Asymmetry]) {
        let hops = firstHops()
        // The plan's next hop from x towards y's containers, as a node.
        func planned(_ x: Int, _ y: Int) -> Int? {
            guard let subnet = topology.nodes[y].containerSubnets.first,
                let via = plan.plannedNextHop(from: topology.nodes[x].name, to: subnet.network)
            else { return nil }
            return topology.node(at: via)
        }
        var pairs = 0, out: [Asymmetry] = []
        for a in hops.keys.sorted() {
            for b in hops[a]!.keys.sorted() where a < b {
                guard let fwd = hops[a]?[b], let rev = hops[b]?[a] else { continue }
                pairs += 1
                // Each straight to the other, or both through the same next hops.
                if (fwd.hops == [b] && rev.hops == [a]) || fwd.hops == rev.hops { continue }
                if let pf = planned(a, b), let pr = planned(b, a), fwd.hops == [pf], rev.hops == [pr] { continue }
                out.append(Asymmetry(a: a, b: b, forward: fwd, back: rev))
            }
        }
        return (pairs, out)
    }

    func routeSymmetry() -> Symmetry {
        let (pairs, asymmetric) = asymmetries()
        var out = Symmetry(pairs: pairs, asymmetric: [])
        for x in asymmetric {
            let (there, back) = (Direction(from: x.a, to: x.b, via: x.forward.hops), Direction(from: x.b, to: x.a, via: x.back.hops))
            out.asymmetric.append((there, back))
            for f in x.forward.frames { out.evidence.add(f, there) }
            for f in x.back.frames { out.evidence.add(f, back) }
        }
        if let x = asymmetric.first {
            let (host, other) = x.forward.hops == [x.b] ? (x.b, x.a) : (x.a, x.b)   // the host that does not go straight
            if let subnet = topology.nodes[other].containerSubnets.first {
                out.cause = SymmetryCause(
                    host: host, other: other, subnet: subnet, plannedVia: plan.plannedNextHop(from: topology.nodes[host].name, to: subnet.network))
            }
        }
        return out
    }
}
