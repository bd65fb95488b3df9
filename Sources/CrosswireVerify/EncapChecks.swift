// encap.mode, encap.overhead, encap.mtu, encap.vtep.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct EncapChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [encapMode(), encapOverhead(), encapMTU(), encapVTEP(), encapChecksum()]) }

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

    /// True when a tunnel signature is the planned one.
    func isPlanned(_ s: TunnelSignature) -> Bool {
        switch plan.transport.mode {
        case .routed, .bridged: false
        case .vxlan: s.kind == .vxlan && s.vni == plan.transport.vxlan?.vni && s.port == plan.transport.vxlan?.port
        case .geneve: s.kind == .geneve && s.vni == plan.transport.geneve?.vni && s.port == plan.transport.geneve?.port
        case .ipip: s.kind == .ipip || s.kind == .sixInFour || s.kind == .fourInSix || s.kind == .sixInSix
        }
    }

    /// Plain cross-host container packets whose link source or destination is a planned
    /// host's or router's MAC (from the plan, else from ARP/ND): they crossed the underlay.
    func plainOnUnderlay() -> (count: Int, pairs: [(key: TrafficFindings.MACPair, value: (count: Int, firsts: [FrameRef]))]) {
        var nodeMACs = Set<MACAddress>()
        for node in topology.nodes {
            if let mac = node.mac ?? findings.arp.mac(of: node.address) { nodeMACs.insert(mac) }
        }
        let pairs = findings.traffic.plainCrossHost
            .filter { nodeMACs.contains($0.key.source) || nodeMACs.contains($0.key.destination) }
            .sorted(byFrame: \.value.firsts[0], then: \.key.source.description)
        return (pairs.reduce(0) { $0 + $1.value.count }, pairs)
    }

    func encapMode() -> CheckResult {
        let tunnels = findings.tunnels
        guard findings.traffic.containerFrames > 0 else {
            return result(.encapMode, .skip, noContainerTraffic, expected: expectedTunnel)
        }
        let seen = tunnels.signatures.sorted(byFrame: \.value.first, then: \.key.description)
        let observed = seen.map { "\($0.key.description): \($0.value.count) packets, first at \(place($0.value.first))" }
        let wrong = seen.filter { !isPlanned($0.key) }
        switch plan.transport.mode {
        case .routed, .bridged:
            if tunnels.planRelevant > 0 {
                var ev = EvidenceList()
                for (sig, v) in wrong { ev.add(v.first, "\(sig.description) tunnel where the plan says \(plan.transport.mode.rawValue): no tunnel") }
                return result(
                    .encapMode, .fail, "tunnel where the plan has none: \(wrong.map(\.key.description).joined(separator: ", "))",
                    expected: expectedTunnel, observed: observed, evidence: ev)
            }
            return result(
                .encapMode, .pass, "no tunnel: \(findings.traffic.containerFrames) container frames cross unencapsulated",
                expected: expectedTunnel, observed: observed)
        case .vxlan, .geneve, .ipip:
            if !wrong.isEmpty {
                var ev = EvidenceList()
                for (sig, v) in wrong { ev.add(v.first, "\(sig.description), planned: \(expectedTunnel)") }
                return result(
                    .encapMode, .fail, "unplanned encapsulation: \(wrong.map(\.key.description).joined(separator: ", "))",
                    expected: expectedTunnel, observed: observed, evidence: ev)
            }
            // Container traffic between hosts on the underlay with no tunnel: the encapsulation seen is none.
            let plain = plainOnUnderlay()
            if plain.count > 0 {
                var ev = EvidenceList()
                for (pair, v) in plain.pairs {
                    for ref in v.firsts {
                        ev.add(ref, "container packet between hosts, unencapsulated, \(pair.source) > \(pair.destination) (\(v.count) such packets)")
                    }
                }
                return result(
                    .encapMode, .fail,
                    "\(plain.count) cross-host container packets cross the underlay unencapsulated where \(plan.transport.mode.rawValue) is planned: the encapsulation seen is none",
                    expected: expectedTunnel, observed: observed + ["none: \(plain.count) packets, first at \(place(plain.pairs[0].value.firsts[0]))"],
                    evidence: ev)
            }
            if seen.isEmpty {
                return result(.encapMode, .skip, "no tunnel traffic in the captures", expected: expectedTunnel)
            }
            let total = seen.reduce(0) { $0 + $1.value.count }
            return result(
                .encapMode, .pass, "\(total) tunnel packets, all \(seen.map(\.key.description).joined(separator: ", "))",
                expected: expectedTunnel, observed: observed)
        }
    }

    func encapOverhead() -> CheckResult {
        let metrics = findings.tunnels.encapsulationMetrics()
        let limit = plan.transport.maxOverheadRatio
        let expected = limit.map { "overhead ratio at most \(NumberFormat.percent($0)) of tunnel bytes" } ?? "overhead measured (no limit planned)"
        guard !metrics.isEmpty else { return result(.encapOverhead, .skip, "no tunnel traffic in the captures", expected: expected) }
        let observed = metrics.map {
            "\($0.kind): \($0.packets) packets in \($0.frames) frames, \($0.overheadBytes) overhead bytes of \($0.bytes) (\(NumberFormat.decimal($0.overheadBytesPerPacket)) per packet, \(NumberFormat.percent($0.overheadRatio)))"
        }
        let summary = metrics.map { "\($0.kind) \(NumberFormat.decimal($0.overheadBytesPerPacket)) bytes/packet, \(NumberFormat.percent($0.overheadRatio)) of tunnel bytes" }.joined(separator: "; ")
        if let limit, let over = metrics.first(where: { $0.overheadRatio > limit }) {
            return result(
                .encapOverhead, .fail, "\(over.kind) overhead \(NumberFormat.percent(over.overheadRatio)) exceeds the planned \(NumberFormat.percent(limit)): \(summary)",
                expected: expected, observed: observed)
        }
        return result(.encapOverhead, .pass, summary, expected: expected, observed: observed)
    }

    func encapMTU() -> CheckResult {
        let expected = "no fragmented or oversize tunnel packets (underlay MTU \(plan.underlay.mtu)\(plan.transport.mtu.map { ", container MTU \($0)" } ?? "")), no ICMP fragmentation-needed or packet-too-big, no PMTU black hole"
        guard findings.traffic.containerFrames > 0 else { return result(.encapMTU, .skip, noContainerTraffic, expected: expected) }
        let t = findings.tunnels
        let holes = findings.blackHoles.blackHoles
        var ev = EvidenceList()
        ev.merge(t.fragments)
        ev.merge(t.oversize)
        ev.merge(findings.icmp.mtuMessages)
        ev.merge(holes)
        var problems: [String] = []
        if t.fragments.total > 0 { problems.append("\(t.fragments.total) fragmented tunnel frames") }
        if t.oversize.total > 0 { problems.append("\(t.oversize.total) oversize packets") }
        if findings.icmp.mtuMessages.total > 0 { problems.append("\(findings.icmp.mtuMessages.total) ICMP fragmentation-needed/packet-too-big") }
        if holes.total > 0 { problems.append("\(holes.total) large TCP segments never acknowledged (black hole)") }
        if t.mssAboveContainerMTU.total > 0, let mtu = plan.transport.mtu {
            problems.append("\(t.mssAboveContainerMTU.total) SYNs with an MSS above transport.mtu \(mtu)")
            ev.merge(t.mssAboveContainerMTU)
        }
        if !problems.isEmpty {
            return result(.encapMTU, .fail, problems.joined(separator: ", "), expected: expected, observed: problems, evidence: ev)
        }
        // Containers that believe in a larger MTU than the path carries: the classic PMTUD black hole, not yet seen.
        if t.mssAbovePath.total > 0 {
            return result(
                .encapMTU, .warn,
                "\(t.mssAbovePath.total) SYNs with an MSS above what the \(plan.transport.mode.rawValue) path carries: containers believe in a larger MTU than the tunnel leaves",
                expected: expected, observed: t.mssAbovePath.details, evidence: t.mssAbovePath)
        }
        let tunnelled = t.totals.values.reduce(0) { $0 + $1.frames }
        let aggregates = t.offloadAggregates.values.reduce(0, +)
        let note = aggregates == 0 ? "" : "; \(aggregates) offload aggregates (GRO/GSO), not judged: `ethtool -K IFACE gro off gso off tso off` shows wire packets"
        return result(
            .encapMTU, .pass,
            (tunnelled > 0 ? "\(tunnelled) tunnel frames, none fragmented or oversize; no PMTU trouble" : "no fragmentation-needed, oversize or black-holed packets on container traffic") + note,
            expected: expected, observed: t.firstAggregate.map { ["first offload aggregate at \(place($0))"] } ?? [])
    }

    func encapVTEP() -> CheckResult {
        let t = findings.tunnels
        let expected = "each tunnel packet goes to the host that owns its inner destination"
        guard t.vtepJudged > 0 else {
            return result(.encapVTEP, .skip, t.signatures.isEmpty ? "no tunnel traffic in the captures" : "no tunnel packet carries a container destination", expected: expected)
        }
        if !t.vtepMismatches.isEmpty {
            return result(
                .encapVTEP, .fail, "\(t.vtepMismatches.total) of \(t.vtepJudged) tunnel packets go to the wrong host",
                expected: expected, evidence: t.vtepMismatches)
        }
        return result(.encapVTEP, .pass, "\(t.vtepJudged) tunnel packets, each to the host owning its inner destination", expected: expected)
    }
}

// MARK: encap.checksum

extension EncapChecks {
    /// A sender's name: its planned node, else its address.
    func sender(_ address: IPAddress) -> String { topology.node(at: address).map { topology.nodes[$0].name } ?? "\(address)" }

    func encapChecksum() -> CheckResult {
        let c = findings.checksums
        let expected = "received VXLAN/GENEVE frames carry a zero or right outer UDP checksum and right inner checksums"
        guard c.judged > 0 else {
            let why = c.sentByCapturer > 0
                ? "only VXLAN/GENEVE frames the capturing host sent (\(count(c.sentByCapturer, "frame")); tx offload fills their checksums in later)"
                : c.cut + c.aggregates > 0
                    ? "no whole VXLAN/GENEVE frame to judge (\(count(c.cut, "frame")) cut by the snap length, \(count(c.aggregates, "offload aggregate")))"
                    : "no VXLAN or GENEVE frames in the captures"
            return result(.encapChecksum, .skip, why, expected: expected)
        }
        var notes: [String] = []
        if c.placeholders > 0 { notes.append("\(count(c.placeholders, "frame")) with checksums left to offload (the pseudo-header sum: not judged)") }
        if c.sentByCapturer > 0 { notes.append("\(count(c.sentByCapturer, "frame")) sent by the capturing host (not judged)") }
        if c.aggregates > 0 { notes.append("\(count(c.aggregates, "offload aggregate")) (not judged)") }
        let bad = c.bySender.filter { $0.outerWrong + $0.innerWrong > 0 }
        if bad.isEmpty {
            return result(
                .encapChecksum, .pass,
                "\(count(c.judged, "tunnel frame")) judged: outer UDP checksums right (\(c.outerRight)) or zero (\(c.outerAbsent)), inner checksums right",
                expected: expected, observed: notes)
        }
        let rows = bad.map { s -> String in
            let wrong = s.outerWrong + s.innerWrong
            let which = s.outerWrong > 0 && s.innerWrong > 0 ? "outer UDP or inner" : s.outerWrong > 0 ? "outer UDP" : "inner"
            let first = s.firstWrong.map { "; first: \(place($0))" } ?? ""
            return "\(sender(s.senderAddress))'s tunnel frames at \(shortName(s.point)): \(wrong) of \(s.judged) with a wrong \(which) checksum (\(NumberFormat.percent(Double(wrong) / Double(s.judged))))\(first)"
        }
        var evidence = c.wrongOuter
        evidence.merge(c.wrongInner)
        return result(.encapChecksum, .fail, rows[0], expected: expected, observed: rows + notes, evidence: evidence)
    }
}
