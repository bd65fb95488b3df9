// encap.mode, encap.overhead, encap.mtu, encap.vtep.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct EncapChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement { Judgement(outcomes: [encapMode(), encapOverhead(), encapMTU(), encapVTEP(), encapChecksum()]) }

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

    // MARK: encap.mode

    /// A tunnel signature seen: how many packets, and the first.
    struct Seen { var signature: TunnelSignature; var count: Int; var first: FrameRef }

    /// encap.mode: the tunnels seen against the planned transport.
    struct Mode: CheckOutcome {
        enum Kind {
            case noContainerTraffic
            /// routed or bridged: tunnels where the plan has none (fail), or none (pass).
            case tunnelWhereNone(wrong: [TunnelSignature]), unencapsulated(containerFrames: Int)
            /// A tunnel mode: another tunnel (fail), plain packets on the underlay (fail), no tunnel at all (skip), as planned (pass).
            case unplanned(wrong: [TunnelSignature]), plainOnUnderlay(count: Int, first: FrameRef), noTunnelTraffic, asPlanned(total: Int)
        }
        /// What a cited frame is.
        enum Note {
            case tunnelWhereNone(TunnelSignature), unplanned(TunnelSignature)
            case plain(source: MACAddress, destination: MACAddress, count: Int)
        }
        /// What to change: the first unplanned tunnel, else the host sending plain packets on the underlay.
        enum Cause { case wrongTunnel(TunnelSignature), plainOnUnderlay(sender: Int?) }

        var id: CheckID { .encapMode }
        var status: CheckStatus {
            switch kind {
            case .noContainerTraffic, .noTunnelTraffic: .skip
            case .unencapsulated, .asPlanned: .pass
            case .tunnelWhereNone, .unplanned, .plainOnUnderlay: .fail
            }
        }
        var kind: Kind
        var seen: [Seen] = []
        var evidence = EvidenceList<Note>()
        var cause: Cause?
    }

    func encapMode() -> Mode {
        let tunnels = findings.tunnels
        guard findings.traffic.containerFrames > 0 else { return Mode(kind: .noContainerTraffic) }
        let seen = tunnels.signatures.sorted(byFrame: \.value.first, then: \.key.description).map { Seen(signature: $0.key, count: $0.value.count, first: $0.value.first) }
        let wrong = seen.filter { !isPlanned($0.signature) }
        var out = Mode(kind: .noTunnelTraffic, seen: seen, cause: modeCause())
        switch plan.transport.mode {
        case .routed, .bridged:
            if tunnels.planRelevant > 0 {
                out.kind = .tunnelWhereNone(wrong: wrong.map(\.signature))
                for s in wrong { out.evidence.add(s.first, .tunnelWhereNone(s.signature)) }
            } else {
                out.kind = .unencapsulated(containerFrames: findings.traffic.containerFrames)
            }
        case .vxlan, .geneve, .ipip:
            // Container traffic between hosts on the underlay with no tunnel: the encapsulation seen is none.
            let plain = plainOnUnderlay()
            if !wrong.isEmpty {
                out.kind = .unplanned(wrong: wrong.map(\.signature))
                for s in wrong { out.evidence.add(s.first, .unplanned(s.signature)) }
            } else if plain.count > 0 {
                out.kind = .plainOnUnderlay(count: plain.count, first: plain.pairs[0].value.firsts[0])
                for (pair, v) in plain.pairs {
                    for ref in v.firsts { out.evidence.add(ref, .plain(source: pair.source, destination: pair.destination, count: v.count)) }
                }
            } else if !seen.isEmpty {
                out.kind = .asPlanned(total: seen.reduce(0) { $0 + $1.count })
            }
        }
        return out
    }

    func modeCause() -> Mode.Cause? {
        let wrong = findings.tunnels.signatures.sorted(byFrame: \.value.first, then: \.key.description).map(\.key).filter { !isPlanned($0) }
        if let w = wrong.first { return .wrongTunnel(w) }
        let plain = plainOnUnderlay()
        guard plain.count > 0, let first = plain.pairs.first else { return nil }
        return .plainOnUnderlay(sender: node(sendingFrom: first.key.source))
    }

    // MARK: encap.overhead

    /// encap.overhead: each tunnel kind's cost against the planned limit.
    struct Overhead: CheckOutcome {
        var id: CheckID { .encapOverhead }
        var status: CheckStatus { metrics.isEmpty ? .skip : over != nil ? .fail : .pass }
        var metrics: [EncapsulationMetric]
        var limit: Double?
        /// The first kind above the limit.
        var over: EncapsulationMetric?
        /// Its average frame size, and the smallest whole-percent limit it keeps (for the hint).
        var averageFrame: Int?, neededLimit: Double?
    }

    func encapOverhead() -> Overhead {
        let metrics = findings.tunnels.encapsulationMetrics()
        let limit = plan.transport.maxOverheadRatio
        let over = limit.flatMap { limit in metrics.first { $0.overheadRatio > limit } }
        let measured = over.flatMap { $0.frames > 0 ? $0 : nil }
        return Overhead(
            metrics: metrics, limit: limit, over: over, averageFrame: measured.map { $0.bytes / $0.frames },
            neededLimit: measured.map { ($0.overheadRatio * 100).rounded(.up) / 100 })
    }

    // MARK: encap.mtu

    /// encap.mtu: fragmentation, oversize packets, PMTU messages and black holes on container traffic.
    struct MTU: CheckOutcome {
        var id: CheckID { .encapMTU }
        var status: CheckStatus {
            !hasContainerTraffic ? .skip : hasProblems ? .fail : mssAbovePath > 0 ? .warn : .pass
        }
        var hasContainerTraffic: Bool
        var fragments = 0, oversize = 0, pmtuMessages = 0, blackHoles = 0
        /// SYNs whose MSS is above `transport.mtu` (counted only when it is planned).
        var mssAboveContainerMTU = 0
        /// SYNs whose MSS is above what the path carries, with the analyser's note on each kept.
        var mssAbovePath = 0, mssAbovePathNotes: [TunnelNote] = []
        var tunnelledFrames = 0, offloadAggregates = 0
        var firstAggregate: FrameRef?
        var evidence = EvidenceList<MTUNote>()
        /// The MTU the path carries and the one to set (for the hint).
        var path: PathMTU

        var hasProblems: Bool { fragments + oversize + pmtuMessages + blackHoles + mssAboveContainerMTU > 0 }
    }

    /// A frame encap.mtu cites, with its analyser's note.
    enum MTUNote {
        case tunnel(TunnelNote)
        case icmp(ICMPNote)
        case blackHole(BlackHoleNote)
    }

    /// What the planned path carries: the tunnel's cost, what is left of the underlay MTU, and
    /// the container MTU to set (the path's own word, an ICMP next-hop MTU, beats the plan's arithmetic).
    struct PathMTU {
        var cost: Int, carried: Int, containerMTU: Int, smallestReported: Int?
        /// The underlay MTU that keeps the containers' MTU.
        var keep: Int
    }

    /// The tunnel's MTU cost for the planned mode (contract §4), as `TunnelAnalyser` counts it.
    var plannedTunnelCost: Int {
        let v6 = plan.nodes.contains { !$0.address.isV4 }
        switch plan.transport.mode {
        case .vxlan, .geneve: return v6 ? 70 : 50
        case .ipip: return v6 ? 40 : 20
        case .routed, .bridged: return 0
        }
    }

    func encapMTU() -> MTU {
        let cost = plannedTunnelCost, underlay = plan.underlay.mtu
        let carried = underlay - cost
        let reported = findings.icmp.smallestReportedMTU
        let path = PathMTU(
            cost: cost, carried: carried, containerMTU: min(plan.transport.mtu.map { min($0, carried) } ?? carried, reported ?? .max),
            smallestReported: reported, keep: max(plan.transport.mtu ?? underlay, underlay) + cost)
        var out = MTU(hasContainerTraffic: findings.traffic.containerFrames > 0, path: path)
        guard out.hasContainerTraffic else { return out }
        let t = findings.tunnels
        let holes = findings.blackHoles.blackHoles
        out.evidence.merge(t.fragments, MTUNote.tunnel)
        out.evidence.merge(t.oversize, MTUNote.tunnel)
        out.evidence.merge(findings.icmp.mtuMessages, MTUNote.icmp)
        out.evidence.merge(holes, MTUNote.blackHole)
        (out.fragments, out.oversize, out.pmtuMessages, out.blackHoles) = (t.fragments.total, t.oversize.total, findings.icmp.mtuMessages.total, holes.total)
        if t.mssAboveContainerMTU.total > 0, plan.transport.mtu != nil {
            out.mssAboveContainerMTU = t.mssAboveContainerMTU.total
            out.evidence.merge(t.mssAboveContainerMTU, MTUNote.tunnel)
        }
        // Containers that believe in a larger MTU than the path carries: the classic PMTUD black hole, not yet seen.
        if !out.hasProblems {
            out.evidence = EvidenceList()
            out.evidence.merge(t.mssAbovePath, MTUNote.tunnel)
            (out.mssAbovePath, out.mssAbovePathNotes) = (t.mssAbovePath.total, t.mssAbovePath.notes)
        }
        out.tunnelledFrames = t.totals.values.reduce(0) { $0 + $1.frames }
        out.offloadAggregates = t.offloadAggregates.values.reduce(0, +)
        out.firstAggregate = t.firstAggregate
        return out
    }

    // MARK: encap.vtep

    /// A tunnel sent to a host that does not own its inner destination, and where it should go.
    struct WrongEndpoint {
        var sender: Int?
        var destination: IPAddress
        var wrong: IPAddress, right: IPAddress
    }

    /// encap.vtep: tunnel packets to the host owning their inner destination.
    struct VTEP: CheckOutcome {
        var id: CheckID { .encapVTEP }
        var status: CheckStatus { judged == 0 ? .skip : mismatches.isEmpty ? .pass : .fail }
        var judged: Int
        var tunnelsSeen: Bool
        var mismatches: EvidenceList<TunnelNote>
        /// The first stale tunnel entry.
        var cause: WrongEndpoint?
    }

    func encapVTEP() -> VTEP {
        let t = findings.tunnels
        return VTEP(judged: t.vtepJudged, tunnelsSeen: !t.signatures.isEmpty, mismatches: t.vtepMismatches, cause: wrongEndpoint(cited: nil))
    }

    /// The first tunnel sent to a host that does not own the inner destination; `cited` narrows it to a check's frames.
    func wrongEndpoint(cited refs: Set<FrameRef>?) -> WrongEndpoint? {
        for (key, group) in findings.nextHops.groups.sorted(byFrame: \.value.frames[0], then: { String(describing: $0.key) }) {
            guard let outer = key.outerDestination, !topology.nodes[Int(key.owner)].addresses.contains(outer),
                refs.map({ !$0.isDisjoint(with: group.frames) }) ?? true
            else { continue }
            let sender = node(sendingFrom: key.sourceMAC)
            let via = sender.flatMap { plan.plannedNextHop(from: topology.nodes[$0].name, to: group.destination) }
            return WrongEndpoint(sender: sender, destination: group.destination, wrong: outer, right: via ?? topology.nodes[Int(key.owner)].address)
        }
        return nil
    }
}

// MARK: encap.checksum

extension EncapChecks {
    /// encap.checksum: wrong checksums per sender and point, with what was not judged and why.
    struct Checksum: CheckOutcome {
        var id: CheckID { .encapChecksum }
        var status: CheckStatus { found.judged == 0 ? .skip : wrong.isEmpty ? .pass : .fail }
        var found: ChecksumFindings
        /// Senders whose frames at a point carried wrong checksums.
        var wrong: [SenderChecksums]
        /// The planned node behind each of those senders (nil: not a planned address).
        var senders: [Int?]
        var evidence: EvidenceList<ChecksumNote>
    }

    func encapChecksum() -> Checksum {
        let c = findings.checksums
        let wrong = c.bySender.filter { $0.outerWrong + $0.innerWrong > 0 }
        var evidence = c.wrongOuter
        evidence.merge(c.wrongInner)
        return Checksum(found: c, wrong: wrong, senders: wrong.map { topology.node(at: $0.senderAddress) }, evidence: evidence)
    }
}
