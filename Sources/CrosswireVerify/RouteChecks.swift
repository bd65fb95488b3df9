// route.nexthop and route.errors.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct RouteChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [routeNextHop(), routeErrors()]) }

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
