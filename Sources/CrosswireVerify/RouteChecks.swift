// route.nexthop, route.errors and route.symmetry.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct RouteChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [routeNextHop(), routeErrors(), routeSymmetry()]) }

    /// The MAC of a planned address: the plan's, else the one ARP showed.
    func mac(of address: IPAddress) -> MACAddress? {
        if let n = topology.node(at: address), let mac = topology.nodes[n].mac { return mac }
        return findings.arp.mac(of: address)
    }

    /// Whose MAC this is, in words.
    func describe(mac: MACAddress) -> String {
        if let n = topology.node(withPlannedMAC: mac) { return "\(mac) (\(topology.nodes[n].name))" }
        if let n = node(sendingFrom: mac) { return "\(mac) (\(topology.nodes[n].name))" }
        if let ip = findings.arp.addresses(of: mac).first { return "\(mac) (\(topology.describe(ip)))" }
        return mac.description
    }

    func routeNextHop() -> CheckResult {
        let expected = plan.transport.mode == .bridged
            ? "container traffic between hosts switched on the underlay: no router MAC, TTL unchanged"
            : "each packet to a container subnet leaves towards the planned next hop (default: the owning host)"
        var bad = EvidenceList()
        var observed: [String] = []
        var judged = 0, unknownSender = 0, unknownNextHop = 0
        for (key, group) in findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { "\($0.key)" }) {
            guard let sender = node(sendingFrom: key.sourceMAC) else { unknownSender += group.count; continue }
            let owner = Int(key.owner)
            if sender == owner { continue }  // delivered by the owning host itself
            let senderName = topology.nodes[sender].name
            if plan.transport.mode == .bridged {
                if let receiver = node(sendingFrom: key.destinationMAC), topology.nodes[receiver].isRouter {
                    judged += group.count
                    observed.append("\(senderName) sends \(group.destination) to router \(topology.nodes[receiver].name): routed, not switched")
                    for f in group.frames { bad.add(f, "\(senderName) sends \(group.destination) to the router \(describe(mac: key.destinationMAC)) in a bridged plan") }
                }
                continue
            }
            guard let via = plan.plannedNextHop(from: senderName, to: group.destination) else { unknownNextHop += group.count; continue }
            if let outer = key.outerDestination {
                judged += group.count
                // The underlay may be of the other family than the inner packet (VXLAN over IPv6):
                // any address of the planned next hop's node is that next hop.
                let sameNode = topology.node(at: outer).map { $0 == topology.node(at: via) } ?? false
                if outer != via, !sameNode {
                    observed.append("\(senderName) tunnels \(group.destination) to \(topology.describe(outer)), planned \(topology.describe(via))")
                    for f in group.frames { bad.add(f, "\(senderName) tunnels \(group.destination) to \(topology.describe(outer)); planned next hop \(topology.describe(via))") }
                }
                continue
            }
            guard let expectedMAC = mac(of: via) else { unknownNextHop += group.count; continue }
            judged += group.count
            if key.destinationMAC != expectedMAC {
                observed.append("\(senderName) sends \(group.destination) to \(describe(mac: key.destinationMAC)); planned next hop \(topology.describe(via)) at \(expectedMAC) (\(group.count) frames)")
                for f in group.frames {
                    bad.add(f, "\(senderName) sends \(group.destination) to \(describe(mac: key.destinationMAC)), not to the planned next hop \(topology.describe(via)) (\(expectedMAC))")
                }
            }
        }
        if plan.transport.mode == .bridged {
            let drops = findings.nat.ttlDrops
            if !drops.isEmpty {
                observed.append("\(drops.total) container packets lost TTL between capture points: routed")
                bad.merge(drops)
            }
            judged += findings.nat.unchangedMatches
        }
        if !bad.isEmpty {
            return result(.routeNextHop, .fail, observed.first ?? "wrong next hop", expected: expected, observed: observed, evidence: bad)
        }
        if judged > 0 {
            return result(.routeNextHop, .pass, "\(judged) frames judged, all to the planned next hop", expected: expected, observed: observed)
        }
        let why: String
        if findings.traffic.crossHostFrames == 0 {
            why = "no cross-host container traffic in the captures"
        } else if findings.nextHops.groups.isEmpty && findings.nextHops.withoutEthernet > 0 {
            why = "no Ethernet headers: next hops cannot be seen in these captures"
        } else if unknownSender > 0 || unknownNextHop > 0 {
            why = "next-hop MACs unknown (no ARP for the planned next hops and no mac in the plan)"
        } else {
            why = "no frame leaves a planned host or router towards a container subnet"
        }
        return result(.routeNextHop, .skip, why, expected: expected)
    }

    func routeErrors() -> CheckResult {
        let expected = "no ICMP unreachable, redirect or time-exceeded and no forwarding loop on container traffic"
        guard findings.traffic.containerFrames > 0 else { return result(.routeErrors, .skip, noContainerTraffic, expected: expected) }
        let icmp = findings.icmp
        // Time-exceeded about echo requests: answers to mtr/traceroute -I when the sender probes with rising TTL.
        var routing = icmp.routingErrors
        var probes = icmp.probeAnswers.total
        for e in icmp.echoTimeExceeded {
            if icmp.isProbing(e.sender) { probes += 1 } else { routing.add(e.ref, e.detail) }
        }
        var ev = EvidenceList()
        ev.merge(routing)
        ev.merge(findings.nat.loops)
        var observed: [String] = []
        if routing.total > 0 { observed.append("\(routing.total) ICMP routing errors: \(routing.details[0])") }
        if findings.nat.loops.total > 0 { observed.append("\(findings.nat.loops.total) forwarding loops") }
        var notes: [String] = []
        if probes > 0 { notes.append("\(probes) answers to traceroute/mtr probes (diagnostics)") }
        if icmp.notJudged.total > 0 { notes.append("\(icmp.notJudged.total) ICMP errors about destinations outside the plan, not judged") }
        if !observed.isEmpty {
            return result(.routeErrors, .fail, observed.joined(separator: "; "), expected: expected, observed: observed + notes, evidence: ev)
        }
        if icmp.portUnreachable.total > 0 {
            notes.append("\(icmp.portUnreachable.total) port-unreachable: the host was reached, no routing error")
        }
        let note = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        return result(
            .routeErrors, .pass, "no ICMP routing errors or loops in \(findings.traffic.containerFrames) container frames\(note)",
            expected: expected, observed: icmp.portUnreachable.details + icmp.probeAnswers.details + icmp.notJudged.details)
    }
}

// MARK: route.symmetry

extension RouteChecks {
    /// The first hop each host's containers' packets take towards each other host's containers:
    /// [from host: [to host: next-hop nodes]], with a frame of each, from the frames the
    /// originating host itself sends (its MAC, and its containers' or its own address).
    func firstHops() -> [Int: [Int: (hops: Set<Int>, frames: [FrameRef])]] {
        var out: [Int: [Int: (hops: Set<Int>, frames: [FrameRef])]] = [:]
        for (key, group) in findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { "\($0.key)" }) {
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

    func routeSymmetry() -> CheckResult {
        let expected = "both directions between two hosts' containers take the same path (each host straight to the other, or both through the same router), unless the plan's routes say otherwise"
        func path(_ to: Int, _ via: Set<Int>) -> String {
            via == [to] ? "direct" : "via " + via.sorted().map { topology.nodes[$0].name }.joined(separator: "/")
        }
        let (pairs, asymmetric) = asymmetries()
        guard pairs > 0 else {
            return result(.routeSymmetry, .skip, "no two hosts whose containers' traffic is seen leaving each of them towards the other", expected: expected)
        }
        guard !asymmetric.isEmpty else {
            return result(.routeSymmetry, .pass, "\(count(pairs, "host pair")), both directions by the same path", expected: expected)
        }
        var bad = EvidenceList(), lines: [String] = []
        for x in asymmetric {
            let (na, nb) = (topology.nodes[x.a].name, topology.nodes[x.b].name)
            let (there, back) = ("\(na) → \(nb)'s containers \(path(x.b, x.forward.hops))", "\(nb) → \(na)'s containers \(path(x.a, x.back.hops))")
            lines.append("\(there), \(back)")
            for f in x.forward.frames { bad.add(f, there) }
            for f in x.back.frames { bad.add(f, back) }
        }
        return result(
            .routeSymmetry, .warn, "the two directions take different paths: \(lines[0]) (a stateful firewall or conntrack on one path drops the other direction's packets)",
            expected: expected, observed: lines, evidence: bad)
    }
}
