// route.nexthop, route.errors and route.symmetry in words.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

extension Sentences {
    /// Whose MAC this is: `02:…:01 (host1)`, `02:…:09 (192.168.56.9)`, or the MAC alone.
    func describe(_ m: RouteChecks.MACOwner) -> String {
        if let n = m.node { return "\(m.mac) (\(name(n)))" }
        if let ip = m.address { return "\(m.mac) (\(topology.describe(ip)))" }
        return m.mac.description
    }

    /// With BGP or OSPF planned, a missing or wrong route is that protocol's to install.
    var dynamicRouting: String? {
        switch plan.routing.routingProtocol {
        case .static: nil
        case .bgp: "BGP"
        case .ospf: "OSPF"
        }
    }
}

extension RouteChecks.NextHop {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = w.plan.transport.mode == .bridged
            ? "container traffic between hosts switched on the underlay: no router MAC, TTL unchanged"
            : "each packet to a container subnet leaves towards the planned next hop (default: the owning host)"
        let observed = detours.map { d -> String in
            switch d {
            case .routedInBridged(let s, let dst, let router, _):
                "\(w.name(s)) sends \(dst) to router \(w.name(router)): routed, not switched"
            case .wrongTunnel(let s, let dst, let outer, let via):
                "\(w.name(s)) tunnels \(dst) to \(w.topology.describe(outer)), planned \(w.topology.describe(via))"
            case .wrongMAC(let s, let dst, let to, let via, let planned, let frames):
                "\(w.name(s)) sends \(dst) to \(w.describe(to)); planned next hop \(w.topology.describe(via)) at \(planned) (\(frames) frames)"
            case .lostTTL(let n):
                "\(n) container packets lost TTL between capture points: routed"
            }
        }
        switch status {
        case .fail:
            return w.result(
                self, observed.first ?? "wrong next hop", expected: expected, observed: observed, evidence: evidence,
                detail: { n in
                    switch n {
                    case .matched(let m): w.note(m)
                    case .detour(.routedInBridged(let s, let dst, _, let mac)): "\(w.name(s)) sends \(dst) to the router \(w.describe(mac)) in a bridged plan"
                    case .detour(.wrongTunnel(let s, let dst, let outer, let via)):
                        "\(w.name(s)) tunnels \(dst) to \(w.topology.describe(outer)); planned next hop \(w.topology.describe(via))"
                    case .detour(.wrongMAC(let s, let dst, let to, let via, let planned, _)):
                        "\(w.name(s)) sends \(dst) to \(w.describe(to)), not to the planned next hop \(w.topology.describe(via)) (\(planned))"
                    case .detour(.lostTTL): ""
                    }
                }, hint: cause.map { hint($0, w) })
        case .pass:
            return w.result(self, "\(judged) frames judged, all to the planned next hop", expected: expected, observed: observed)
        default:
            let why = switch unjudged {
            case .noCrossHostTraffic: "no cross-host container traffic in the captures"
            case .noEthernet: "no Ethernet headers: next hops cannot be seen in these captures"
            case .unknownMACs: "next-hop MACs unknown (no ARP for the planned next hops and no mac in the plan)"
            case .nothingLeaves: "no frame leaves a planned host or router towards a container subnet"
            }
            return w.result(self, why, expected: expected)
        }
    }

    func hint(_ cause: RouteChecks.NextHopCause, _ w: Sentences) -> String {
        switch cause {
        case .routedInBridged(let s, let dst, let router):
            let subnet = w.subnet(of: dst).map(\.description) ?? dst.description
            let via = router.map { "\(w.name($0)) (\(w.topology.nodes[$0].address))" } ?? "a router"
            return "\(w.name(s)) routes \(subnet) through \(via), but a bridged plan switches it on the segment: make it on-link on \(w.name(s)) (`ip route del \(subnet) via …`; a macvlan/ipvlan network on the underlay), or plan `transport.mode: routed` with that route"
        case .wrongTunnel(let e):
            return w.tunnelEndpointFix(e)
        case .wrongRoute(let s, let dst, let to, let via):
            let subnet = w.subnet(of: dst).map(\.description) ?? dst.description
            let protocolNote = w.dynamicRouting.map { "; with \($0) planned, `ip route show \(subnet)` tells whether a static route overrides the \($0) one" } ?? ""
            return "on \(w.name(s)) the route to \(subnet) leads to \(w.describe(to)), not \(w.topology.describe(via)): `ip route replace \(subnet) via \(via)` on \(w.name(s))\(protocolNote)"
        case .lostTTL:
            return "container packets lose TTL between the hosts: they are routed in a bridged plan; `ip route get <container>` on each host must show no gateway (macvlan/ipvlan on the underlay), or plan `transport.mode: routed`"
        }
    }
}

extension RouteChecks.Errors {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "no ICMP unreachable, redirect or time-exceeded and no forwarding loop on container traffic"
        guard containerFrames > 0 else { return w.result(self, w.noContainerTraffic, expected: expected) }
        var observed: [String] = []
        if routingErrors > 0, let firstError { observed.append("\(routingErrors) ICMP routing errors: \(w.note(firstError))") }
        if loops > 0 { observed.append("\(loops) forwarding loops") }
        var notes: [String] = []
        if probes > 0 { notes.append("\(probes) answers to traceroute/mtr probes (diagnostics)") }
        if notJudged > 0 { notes.append("\(notJudged) ICMP errors about destinations outside the plan, not judged") }
        if !observed.isEmpty {
            return w.result(
                self, observed.joined(separator: "; "), expected: expected, observed: observed + notes, evidence: evidence, detail: { self.note($0, w) },
                hint: cause.map { hint($0, w) })
        }
        if portUnreachable > 0 { notes.append("\(portUnreachable) port-unreachable: the host was reached, no routing error") }
        let note = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        return w.result(self, "no ICMP routing errors or loops in \(containerFrames) container frames\(note)", expected: expected, observed: notErrors.map(w.note))
    }

    func note(_ n: RouteChecks.ErrorNote, _ w: Sentences) -> String {
        switch n {
        case .icmp(let n): w.note(n)
        case .loop(let n): w.note(n)
        }
    }

    func hint(_ cause: RouteChecks.ErrorsCause, _ w: Sentences) -> String {
        let senderName = { (node: Int?, address: IPAddress) in node.map(w.name) ?? address.description }
        let subnet = { (destination: IPAddress) in w.subnet(of: destination)! }
        switch cause {
        case .loop:
            return "packets circle between hosts: two hosts route a container subnet at each other; `ip route get <container>` on each must lead towards the host that owns it, and `ip route replace <subnet> via <owner>` where it does not"
        case .prohibited(let node, let address, let dst, let fromSubnet):
            let from = fromSubnet.map { "-s \($0) " } ?? ""
            return "a filter on \(senderName(node, address)) rejects traffic to \(w.subnetText(dst)): look for REJECT in `iptables -S FORWARD` there; Docker's FORWARD chain drops what it did not set up, so allow it with `iptables -I DOCKER-USER \(from)-d \(subnet(dst)) -j ACCEPT`"
        case .timeExceeded(let dst, let owner):
            let address = w.topology.nodes[owner].address
            return "TTL ran out on the way to \(w.subnetText(dst)): a routing loop; `ip route get \(dst)` on each host must lead towards \(w.name(owner)) (\(address)), and `ip route replace \(subnet(dst)) via \(address)` where it does not"
        case .redirect(let node, let address, let dst, let from, let via):
            let fromName = from.map(w.name) ?? "the sending host"
            return "\(senderName(node, address)) redirects traffic for \(w.subnetText(dst)): \(fromName) sends it to the wrong next hop; `ip route replace \(subnet(dst)) via \(via)` on \(fromName)"
        case .noRoute(let node, let address, let dst, let via):
            let name = senderName(node, address)
            let add = "`ip route add \(subnet(dst)) via \(via)` on \(name)"
            if let dynamic = w.dynamicRouting {
                return "\(name) has no route to \(w.subnetText(dst)): \(dynamic) installed none (see \(dynamic == "BGP" ? "bgp.session and bgp.routes" : "ospf.adjacency and ospf.routes")); by hand: \(add)"
            }
            return "\(name) has no route to \(w.subnetText(dst)): \(add)"
        }
    }
}

extension RouteChecks.Symmetry {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "both directions between two hosts' containers take the same path (each host straight to the other, or both through the same router), unless the plan's routes say otherwise"
        guard pairs > 0 else {
            return w.result(self, "no two hosts whose containers' traffic is seen leaving each of them towards the other", expected: expected)
        }
        guard !asymmetric.isEmpty else {
            return w.result(self, "\(w.count(pairs, "host pair")), both directions by the same path", expected: expected)
        }
        let direction = { (d: RouteChecks.Direction) -> String in
            "\(w.name(d.from)) → \(w.name(d.to))'s containers " + (d.via == [d.to] ? "direct" : "via " + d.via.sorted().map(w.name).joined(separator: "/"))
        }
        let lines = asymmetric.map { "\(direction($0.there)), \(direction($0.back))" }
        var hint: String?
        if let c = cause {
            let via = c.plannedVia.map { " via \($0)" } ?? " via \(w.name(c.other))"
            hint = "make both directions take one path: on \(w.name(c.host)), `ip route replace \(c.subnet)\(via)` (or the same detour back), so that conntrack and stateful firewalls see both directions"
        }
        return w.result(
            self, "the two directions take different paths: \(lines[0]) (a stateful firewall or conntrack on one path drops the other direction's packets)",
            expected: expected, observed: lines, evidence: evidence, detail: direction, hint: hint)
    }
}
