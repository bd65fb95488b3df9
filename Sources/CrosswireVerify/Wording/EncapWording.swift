// encap.mode, encap.overhead, encap.mtu and encap.vtep in words.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

extension Sentences {
    /// What the plan's transport expects, in words.
    var expectedTunnel: String {
        switch plan.transport.mode {
        case .routed: "no tunnel: container traffic routed host to host"
        case .bridged: "no tunnel: container traffic switched on the underlay"
        case .vxlan: "VXLAN VNI \(plan.transport.vxlan?.vni ?? 0) on UDP port \(plan.transport.vxlan?.port ?? 4789)"
        case .geneve: "GENEVE VNI \(plan.transport.geneve?.vni ?? 0) on UDP port \(plan.transport.geneve?.port ?? 6081)"
        case .ipip: "IP-in-IP (IP protocol 4, or 41 for IPv6)"
        }
    }

    /// The fix for a tunnel sent to the wrong host (encap.vtep, route.nexthop).
    func tunnelEndpointFix(_ e: EncapChecks.WrongEndpoint) -> String {
        let sender = e.sender.map(name) ?? "the sending host"
        let subnet = subnet(of: e.destination).map(\.description) ?? e.destination.description
        switch plan.transport.mode {
        case .ipip:
            return "\(sender) tunnels \(subnetText(e.destination)) to \(topology.describe(e.wrong)): `ip route replace \(subnet) via \(e.right) dev tunl0 onlink` on \(sender)"
        default:
            return "\(sender) tunnels \(subnetText(e.destination)) to \(topology.describe(e.wrong)), not \(e.right): a stale VXLAN entry; `bridge fdb show dev flannel.1 | grep \(e.wrong)` and `ip route show \(subnet)` on \(sender) (flannel rebuilds them from each node's `public-ip` annotation; restart flanneld after fixing it)"
        }
    }
}

extension EncapChecks.Mode {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = w.expectedTunnel
        let mode = w.plan.transport.mode.rawValue
        let observed = seen.map { "\($0.signature.description): \($0.count) packets, first at \(w.place($0.first))" }
        let names = { (s: [TunnelSignature]) in s.map(\.description).joined(separator: ", ") }
        let detail = { (note: Note) -> String in
            switch note {
            case .tunnelWhereNone(let s): "\(s.description) tunnel where the plan says \(mode): no tunnel"
            case .unplanned(let s): "\(s.description), planned: \(expected)"
            case .plain(let source, let destination, let count): "container packet between hosts, unencapsulated, \(source) > \(destination) (\(count) such packets)"
            }
        }
        let hint = cause.flatMap { self.hint($0, w) }
        switch kind {
        case .noContainerTraffic:
            return w.result(self, w.noContainerTraffic, expected: expected)
        case .tunnelWhereNone(let wrong):
            return w.result(self, "tunnel where the plan has none: \(names(wrong))", expected: expected, observed: observed, evidence: evidence, detail: detail, hint: hint)
        case .unencapsulated(let frames):
            return w.result(self, "no tunnel: \(frames) container frames cross unencapsulated", expected: expected, observed: observed)
        case .unplanned(let wrong):
            return w.result(self, "unplanned encapsulation: \(names(wrong))", expected: expected, observed: observed, evidence: evidence, detail: detail, hint: hint)
        case .plainOnUnderlay(let count, let first):
            return w.result(
                self, "\(count) cross-host container packets cross the underlay unencapsulated where \(mode) is planned: the encapsulation seen is none",
                expected: expected, observed: observed + ["none: \(count) packets, first at \(w.place(first))"], evidence: evidence, detail: detail, hint: hint)
        case .noTunnelTraffic:
            return w.result(self, "no tunnel traffic in the captures", expected: expected)
        case .asPlanned(let total):
            return w.result(self, "\(total) tunnel packets, all \(names(seen.map(\.signature)))", expected: expected, observed: observed)
        }
    }

    func hint(_ cause: Cause, _ w: Sentences) -> String? {
        let mode = w.plan.transport.mode
        switch cause {
        case .wrongTunnel(let t):
            let calicoKey = t.kind == .vxlan ? "vxlanMode" : "ipipMode"
            switch mode {
            // (`where` binds to one pattern only: both need it.)
            case .routed where t.kind != .vxlan && t.kind != .ipip, .bridged where t.kind != .vxlan && t.kind != .ipip:
                return "a \(t.kind) tunnel carries container traffic where the plan routes: `ip -d link show type \(t.kind)` on the hosts finds it; remove it, or plan the tunnel"
            case .routed, .bridged:
                return "a \(t.kind) overlay runs where the plan has none: flannel's `Backend.Type` is `\(t.kind)` or Calico's IPPool `\(calicoKey)` is not `Never`; use flannel `host-gw` or Calico `ipipMode: Never`, `vxlanMode: Never` (BGP routes), or plan `transport.mode: \(t.kind)`"
            case .vxlan, .geneve:
                guard let planned = w.plan.transport.tunnel, t.kind.description == mode.rawValue else {
                    return "the overlay runs \(t.description), the plan \(mode.rawValue): set flannel's `Backend.Type` (Calico's IPPool `vxlanMode`/`ipipMode`) to the planned one, or plan `transport.mode` as seen"
                }
                var fix: [String] = []
                if let vni = t.vni, vni != planned.vni { fix.append("VNI \(vni), planned \(planned.vni)") }
                if t.port != planned.port { fix.append("UDP port \(t.port), planned \(planned.port)") }
                let flannel = mode == .vxlan
                    ? "flannel net-conf.json `\"Backend\": {\"Type\": \"vxlan\", \"VNI\": \(planned.vni), \"Port\": \(planned.port)}` (Calico FelixConfiguration `vxlanVNI: \(planned.vni)`, `vxlanPort: \(planned.port)`)"
                    : "the GENEVE device's `id \(planned.vni) dstport \(planned.port)`"
                return "the tunnel uses \(fix.joined(separator: ", ")) (`ip -d link show type \(mode.rawValue)` shows both): set \(flannel) on every host, or correct the plan's `transport.\(mode.rawValue)`"
            case .ipip:
                return "the overlay runs \(t.description), the plan IP-in-IP: Calico `ipipMode: Always` (and `vxlanMode: Never`), flannel `Backend.Type: ipip`; or plan `transport.mode` as seen"
            }
        case .plainOnUnderlay(let node):
            let sender = node.map(w.name) ?? "the sending host"
            let device = mode == .ipip ? "tunl0" : mode == .vxlan ? "flannel.1 or vxlan.calico" : "the GENEVE device"
            return "\(sender) routes other hosts' containers out of its NIC instead of the tunnel: flannel's `host-gw` backend or a static `ip route … via <host>`, or Calico `\(mode == .ipip ? "ipipMode" : "vxlanMode"): CrossSubnet` between hosts on one subnet; `ip route get <container>` on \(sender) must name \(device) (Calico `\(mode == .ipip ? "ipipMode" : "vxlanMode"): Always`), else plan `transport.mode: routed`"
        }
    }
}

extension EncapChecks.Overhead {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = limit.map { "overhead ratio at most \(NumberFormat.percent($0)) of tunnel bytes" } ?? "overhead measured (no limit planned)"
        guard !metrics.isEmpty else { return w.result(self, "no tunnel traffic in the captures", expected: expected) }
        let observed = metrics.map {
            "\($0.kind): \($0.packets) packets in \($0.frames) frames, \($0.overheadBytes) overhead bytes of \($0.bytes) (\(NumberFormat.decimal($0.overheadBytesPerPacket)) per packet, \(NumberFormat.percent($0.overheadRatio)))"
        }
        let summary = metrics.map { "\($0.kind) \(NumberFormat.decimal($0.overheadBytesPerPacket)) bytes/packet, \(NumberFormat.percent($0.overheadRatio)) of tunnel bytes" }.joined(separator: "; ")
        guard let over, let limit else { return w.result(self, summary, expected: expected, observed: observed) }
        var hint: String?
        if let averageFrame, let neededLimit {
            let cheaper = over.kind == "ipip" ? "" : " or IP-in-IP, 20 bytes (flannel `ipip` backend, Calico `ipipMode: Always`)"
            hint = "\(over.kind) costs \(NumberFormat.decimal(over.overheadBytesPerPacket)) bytes on frames of \(averageFrame) bytes on average: the share falls only with larger packets (a jumbo underlay MTU) or a lighter transport: no tunnel where the hosts share a segment (flannel `host-gw`, Calico BGP with `vxlanMode: Never`)\(cheaper); else raise the plan's `max_overhead_ratio: \(NumberFormat.decimal(neededLimit))`"
        }
        return w.result(
            self, "\(over.kind) overhead \(NumberFormat.percent(over.overheadRatio)) exceeds the planned \(NumberFormat.percent(limit)): \(summary)",
            expected: expected, observed: observed, hint: hint)
    }
}

extension EncapChecks.MTU {
    func worded(_ w: Sentences) -> CheckResult {
        let plan = w.plan
        let expected = "no fragmented or oversize tunnel packets (underlay MTU \(plan.underlay.mtu)\(plan.transport.mtu.map { ", container MTU \($0)" } ?? "")), no ICMP fragmentation-needed or packet-too-big, no PMTU black hole"
        guard hasContainerTraffic else { return w.result(self, w.noContainerTraffic, expected: expected) }
        var problems: [String] = []
        if fragments > 0 { problems.append("\(fragments) fragmented tunnel frames") }
        if oversize > 0 { problems.append("\(oversize) oversize packets") }
        if pmtuMessages > 0 { problems.append("\(pmtuMessages) ICMP fragmentation-needed/packet-too-big") }
        if blackHoles > 0 { problems.append("\(blackHoles) large TCP segments never acknowledged (black hole)") }
        if mssAboveContainerMTU > 0, let mtu = plan.transport.mtu { problems.append("\(mssAboveContainerMTU) SYNs with an MSS above transport.mtu \(mtu)") }
        if !problems.isEmpty {
            return w.result(self, problems.joined(separator: ", "), expected: expected, observed: problems, evidence: evidence, detail: { self.note($0, w) }, hint: hint(w))
        }
        if mssAbovePath > 0 {
            return w.result(
                self,
                "\(mssAbovePath) SYNs with an MSS above what the \(plan.transport.mode.rawValue) path carries: containers believe in a larger MTU than the tunnel leaves",
                expected: expected, observed: mssAbovePathNotes.map(w.note), evidence: evidence, detail: { self.note($0, w) }, hint: hint(w))
        }
        let note = offloadAggregates == 0 ? "" : "; \(offloadAggregates) offload aggregates (GRO/GSO), not judged: `ethtool -K IFACE gro off gso off tso off` shows wire packets"
        return w.result(
            self,
            (tunnelledFrames > 0 ? "\(tunnelledFrames) tunnel frames, none fragmented or oversize; no PMTU trouble" : "no fragmentation-needed, oversize or black-holed packets on container traffic") + note,
            expected: expected, observed: firstAggregate.map { ["first offload aggregate at \(w.place($0))"] } ?? [])
    }

    func note(_ n: EncapChecks.MTUNote, _ w: Sentences) -> String {
        switch n {
        case .tunnel(let n): w.note(n)
        case .icmp(let n): w.note(n)
        case .blackHole(let n): w.note(n)
        }
    }

    func hint(_ w: Sentences) -> String {
        let plan = w.plan, underlay = plan.underlay.mtu
        let (cost, carried, mtu) = (path.cost, path.carried, path.containerMTU)
        var what: String
        switch plan.transport.mode {
        case .vxlan, .geneve, .ipip:
            what = "the containers' MTU is above the \(carried) bytes the \(plan.transport.mode.rawValue) tunnel carries over the \(underlay)-byte underlay (\(underlay) − \(cost))"
        case .routed, .bridged:
            what = path.smallestReported.map { "a link on the path carries only \($0) bytes (ICMP fragmentation-needed)" }
                ?? "a packet bigger than a link on the path carries was lost (a PMTU black hole: the ICMP that would say so is filtered)"
        }
        if status == .fail, mssAboveContainerMTU > 0, let planned = plan.transport.mtu, fragments == 0, oversize == 0 {
            what = "the containers announce an MSS for a larger MTU than the planned \(planned)"
        }
        var fix = "set the container MTU to \(mtu): daemon.json `\"mtu\": \(mtu)`, flannel `FLANNEL_MTU=\(mtu)` (subnet.env, from the tunnel device's MTU), Calico `veth_mtu: \"\(mtu)\"`"
        if let planned = plan.transport.mtu, planned > carried { fix += ", and the plan's `transport.mtu` \(planned) to \(carried)" }
        // Keeping the containers' MTU (Docker's default is the NIC's, 1500) means growing the underlay by the tunnel's cost.
        if cost > 0 { fix += "; or raise the underlay MTU to \(path.keep): `ip link set dev IFACE mtu \(path.keep)` on every host" }
        fix += "; meanwhile `iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu` keeps TCP below it"
        let offload = offloadAggregates > 0
            ? "; the \(offloadAggregates) offload aggregates are not judged (`ethtool -K IFACE gro off gso off tso off` shows wire packets)" : ""
        return what + ": " + fix + offload
    }
}

extension EncapChecks.VTEP {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "each tunnel packet goes to the host that owns its inner destination"
        guard judged > 0 else {
            return w.result(self, tunnelsSeen ? "no tunnel packet carries a container destination" : "no tunnel traffic in the captures", expected: expected)
        }
        guard mismatches.isEmpty else {
            return w.result(
                self, "\(mismatches.total) of \(judged) tunnel packets go to the wrong host", expected: expected, evidence: mismatches, detail: w.note,
                hint: cause.map(w.tunnelEndpointFix)
                    ?? "a tunnel goes to a host that does not own its inner destination: stale forwarding entries on the sending host; `bridge fdb show dev flannel.1` and `ip neigh show dev flannel.1` (VXLAN) or `ip route` (IP-in-IP) there must map each host's containers to that host's address")
        }
        return w.result(self, "\(judged) tunnel packets, each to the host owning its inner destination", expected: expected)
    }
}

extension EncapChecks.Checksum {
    func worded(_ w: Sentences) -> CheckResult {
        let c = found
        let expected = "received VXLAN/GENEVE frames carry a zero or right outer UDP checksum and right inner checksums"
        guard c.judged > 0 else {
            let why = c.sentByCapturer > 0
                ? "only VXLAN/GENEVE frames the capturing host sent (\(w.count(c.sentByCapturer, "frame")); tx offload fills their checksums in later)"
                : c.cut + c.aggregates > 0
                    ? "no whole VXLAN/GENEVE frame to judge (\(w.count(c.cut, "frame")) cut by the snap length, \(w.count(c.aggregates, "offload aggregate")))"
                    : "no VXLAN or GENEVE frames in the captures"
            return w.result(self, why, expected: expected)
        }
        var notes: [String] = []
        if c.placeholders > 0 { notes.append("\(w.count(c.placeholders, "frame")) with checksums left to offload (the pseudo-header sum: not judged)") }
        if c.sentByCapturer > 0 { notes.append("\(w.count(c.sentByCapturer, "frame")) sent by the capturing host (not judged)") }
        if c.aggregates > 0 { notes.append("\(w.count(c.aggregates, "offload aggregate")) (not judged)") }
        guard !wrong.isEmpty else {
            return w.result(
                self, "\(w.count(c.judged, "tunnel frame")) judged: outer UDP checksums right (\(c.outerRight)) or zero (\(c.outerAbsent)), inner checksums right",
                expected: expected, observed: notes)
        }
        let rows = zip(wrong, senders).map { s, node -> String in
            let bad = s.outerWrong + s.innerWrong
            let which = s.outerWrong > 0 && s.innerWrong > 0 ? "outer UDP or inner" : s.outerWrong > 0 ? "outer UDP" : "inner"
            let first = s.firstWrong.map { "; first: \(w.place($0))" } ?? ""
            let share = NumberFormat.percent(Double(bad) / Double(s.judged))
            return "\(sender(s, node, w))'s tunnel frames at \(w.shortName(s.point)): \(bad) of \(s.judged) with a wrong \(which) checksum (\(share))\(first)"
        }
        return w.result(self, rows[0], expected: expected, observed: rows + notes, evidence: evidence, detail: w.note, hint: hint(w))
    }

    func sender(_ s: SenderChecksums, _ node: Int?, _ w: Sentences) -> String { node.map(w.name) ?? "\(s.senderAddress)" }

    func hint(_ w: Sentences) -> String {
        let who = sender(wrong[0], senders[0], w)
        let device = w.plan.transport.mode == .geneve ? "the GENEVE device" : "flannel.1 (the VXLAN device)"
        return "\(who) sends tunnel frames with wrong checksums, which the receiver drops (`UDP: bad checksum`, TCP stalls): turn checksum offload off on \(who)'s \(device), `ethtool -K flannel.1 tx-checksum-ip-generic off`, or send no outer checksum (`ip link set flannel.1 type vxlan noudpcsum`); then check the NIC driver"
    }
}
