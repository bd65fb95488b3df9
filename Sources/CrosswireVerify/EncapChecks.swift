// encap.mode, encap.overhead, encap.mtu, encap.vtep.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct EncapChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(checks: [encapMode(), encapOverhead(), encapMTU(), encapVTEP()]) }

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
            if seen.isEmpty {
                return result(.encapMode, .skip, "no tunnel traffic in the captures", expected: expectedTunnel)
            }
            if !wrong.isEmpty {
                var ev = EvidenceList()
                for (sig, v) in wrong { ev.add(v.first, "\(sig.description), planned: \(expectedTunnel)") }
                return result(
                    .encapMode, .fail, "unplanned encapsulation: \(wrong.map(\.key.description).joined(separator: ", "))",
                    expected: expectedTunnel, observed: observed, evidence: ev)
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
        if !problems.isEmpty {
            return result(.encapMTU, .fail, problems.joined(separator: ", "), expected: expected, observed: problems, evidence: ev)
        }
        let tunnelled = t.totals.values.reduce(0) { $0 + $1.frames }
        return result(
            .encapMTU, .pass,
            tunnelled > 0 ? "\(tunnelled) tunnel frames, none fragmented or oversize; no PMTU trouble" : "no fragmentation-needed, oversize or black-holed packets on container traffic",
            expected: expected)
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
