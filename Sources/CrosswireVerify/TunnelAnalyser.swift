// Tunnels: which kinds, VNIs and ports; the encapsulation overhead of the
// contract (§4), fragments counted honestly; outer fragmentation and
// oversize packets; and whether each tunnel packet goes to the host that
// owns its inner destination.

import CrosswireDecoder

/// Byte accounting for one tunnel kind.
struct TunnelTotals {
    var packets = 0
    var frames = 0
    var bytes = 0
    /// The tunnel's MTU cost (contract 1.1, §4): per inner packet, the bytes from the outer IP
    /// header to the inner network-layer header, plus one outer IP header per extra fragment.
    var overheadBytes = 0
}

/// A value per tunnel kind, in a slot per kind: a `[TunnelKind: …]` dictionary hashed the
/// kind on every tunnel frame (about 500 instructions a lookup).
struct PerTunnelKind<Value> {
    private var slots: [Value?] = Array(repeating: nil, count: TunnelKind.allCases.count)

    subscript(kind: TunnelKind) -> Value? {
        get { slots[Int(kind.rawValue)] }
        set { slots[Int(kind.rawValue)] = newValue }
    }

    /// The kinds with a value, in raw-value order (a stable order for metrics).
    var entries: [(kind: TunnelKind, value: Value)] {
        slots.indices.compactMap { i in slots[i].map { (TunnelKind(rawValue: UInt8(i))!, $0) } }
    }

    var values: [Value] { slots.compactMap { $0 } }
}

/// A tunnel as the plan would name it.
struct TunnelSignature: Hashable, Sendable {
    var kind: TunnelKind
    var vni: UInt32?
    var port: UInt16
    /// One word to hash, not four.
    func hash(into h: inout Hasher) {
        h.combine(UInt64(kind.rawValue) | UInt64(port) << 8 | (vni.map { UInt64($0) << 24 | 1 << 56 } ?? 0))
    }
}

/// What a tunnel frame kept as evidence shows (worded in Wording/AnalyserNotes.swift).
enum TunnelNote: Sendable {
    /// A later fragment at `offset` bytes, its tunnel named by the first fragment.
    case laterFragment(TunnelKind, source: IPAddress, destination: IPAddress, offset: Int)
    /// A first fragment whose later fragment (`later`) was captured before it.
    case fragmentBeforeFirst(TunnelKind, source: IPAddress, destination: IPAddress, later: FrameRef)
    case fragmented(TunnelKind, source: IPAddress, destination: IPAddress, innerBytes: Int, underlayMTU: Int)
    case oversizeTunnel(TunnelKind, bytes: Int, underlayMTU: Int)
    case oversizeInner(bytes: Int, containerMTU: Int)
    /// The inner destination belongs to node `owner`, the tunnel goes to `outerDestination`.
    case wrongEndpoint(innerDestination: IPAddress, owner: Int, outerDestination: IPAddress)
    case mssAboveContainerMTU(mss: Int, containerMTU: Int, headers: Int)
    case mssAbovePath(mss: Int, underlayMTU: Int, tunnelCost: Int, headers: Int)
}

/// What the tunnels carried, per kind and signature, and what went wrong.
struct TunnelFindings {
    var totals = PerTunnelKind<TunnelTotals>()
    /// Every tunnel signature seen, with a count and the first frame.
    var signatures: [TunnelSignature: (count: Int, first: FrameRef)] = [:]
    /// Tunnel packets whose outer ends are planned nodes or whose inner packet is container traffic.
    var planRelevant = 0
    var fragments = EvidenceList<TunnelNote>()
    var oversize = EvidenceList<TunnelNote>()
    var vtepMismatches = EvidenceList<TunnelNote>()
    var vtepJudged = 0
    var fragmentEvictions = 0
    /// Cross-host container SYNs whose MSS is above the planned container MTU (fail) or
    /// above what the planned path carries, underlay MTU − tunnel cost (warn).
    var mssAboveContainerMTU = EvidenceList<TunnelNote>()
    var mssAbovePath = EvidenceList<TunnelNote>()
    /// Offload aggregates per capture: tunnel frames above the link MTU that only GRO/GSO/TSO
    /// produce (unfragmented, carrying TCP). Not wire packets: counted, never judged.
    var offloadAggregates: [CaptureID: Int] = [:]
    var firstAggregate: FrameRef?

    /// The contract's metrics per kind, in a stable order.
    func metrics() -> [(kind: TunnelKind, totals: TunnelTotals)] {
        totals.entries.map { ($0.kind, $0.value) }
    }
}

struct TunnelAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, TunnelFindings> { \.tunnels }
    let topology: Topology
    let underlayMTU: Int
    let innerMTU: Int?
    var findings = TunnelFindings()

    /// Outer IP fragment groups: the kind once the first fragment told it; frames seen before that wait.
    struct FragmentKey: Hashable {
        var capture: CaptureID
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
        /// The addresses, then one word for the rest.
        func hash(into h: inout Hasher) {
            h.combine(source)
            h.combine(destination)
            h.combine(UInt64(identification) | UInt64(protocolNumber) << 32 | UInt64(UInt32(bitPattern: capture.index)) << 40)
        }
    }
    var fragmentKinds: [FragmentKey: TunnelKind] = [:]
    var pendingFragments: [FragmentKey: (frames: Int, bytes: Int, headers: Int, first: FrameRef)] = [:]
    static let maxFragmentGroups = 65_536

    /// What the planned tunnel takes from the underlay MTU (contract 1.1, §4); 0 without one.
    let plannedTunnelCost: Int

    init(topology: Topology) {
        self.topology = topology
        underlayMTU = topology.plan.underlay.mtu
        innerMTU = topology.plan.transport.mtu
        let v6Underlay = topology.plan.nodes.contains { !$0.address.isV4 }
        switch topology.plan.transport.mode {
        case .vxlan, .geneve: plannedTunnelCost = v6Underlay ? 70 : 50
        case .ipip: plannedTunnelCost = v6Underlay ? 40 : 20
        case .routed, .bridged: plannedTunnelCost = 0
        }
    }

    mutating func noteAggregate(_ ref: FrameRef) {
        let n = findings.offloadAggregates[ref.capture] ?? 0
        findings.offloadAggregates[ref.capture] = n + 1
        if findings.firstAggregate == nil { findings.firstAggregate = ref }
    }

    /// MSS consistency: a SYN's MSS plus the IP and TCP headers is the MTU its sender believes in.
    mutating func noteMSS(_ p: PacketView, innermost: Int?, _ ref: FrameRef) {
        guard let i = innermost, let ip = p.levels[i].ip else { return }
        let t = p.levels[i].transport
        guard t.kind == .tcp, t.tcpFlags.contains(.syn), t.maximumSegmentSize > 0 else { return }
        let srcOwner = topology.owner(of: ip.source), dstOwner = topology.owner(of: ip.destination)
        guard srcOwner != nil || dstOwner != nil, srcOwner != dstOwner else { return }
        let headers = ip.source.isV4 ? 40 : 60
        let mss = Int(t.maximumSegmentSize)
        if let innerMTU, mss > innerMTU - headers {
            findings.mssAboveContainerMTU.add(ref, .mssAboveContainerMTU(mss: mss, containerMTU: innerMTU, headers: headers))
        } else if mss > underlayMTU - plannedTunnelCost - headers {
            findings.mssAbovePath.add(ref, .mssAbovePath(mss: mss, underlayMTU: underlayMTU, tunnelCost: plannedTunnelCost, headers: headers))
        }
    }

    /// The signature of the latest tunnel frames and how many of them `findings.signatures`
    /// does not count yet: a tunnel's frames come in runs, and a dictionary update for each
    /// hashed its signature twice a frame. Only a signature `findings.signatures` holds.
    private var run: (signature: TunnelSignature, count: Int)?

    /// Counts `n` frames of `signature`; `ref` is the frame observed (nil: frames credited,
    /// which count only for a signature already seen).
    private mutating func count(_ signature: TunnelSignature, _ n: Int, ref: FrameRef?) {
        if let r = run, r.signature == signature {
            run = (signature, r.count + n)
            return
        }
        endRun()
        if findings.signatures[signature] == nil {
            guard let ref else { return }
            findings.signatures[signature] = (0, ref)
        }
        run = (signature, n)
    }

    private mutating func endRun() {
        guard let r = run, let s = findings.signatures[r.signature] else { return }
        // Not `signatures[…]!.count += n`: that accessor's coroutine allocated its frame on
        // every call (package-benchmark's malloc counter).
        findings.signatures[r.signature] = (s.count + r.count, s.first)
        run = nil
    }

    func finish() -> TunnelFindings {
        var copy = self
        copy.endRun()
        return copy.findings
    }

    /// Bytes from the outer IP header to the inner network-layer header: what the tunnel takes
    /// from the underlay's MTU (VXLAN/IPv4 50, IP-in-IP 20, GRE 24 + options). Where the inner
    /// network header was not decoded (cut by snaplen, not IP), the inner Ethernet header of an
    /// Ethernet-carrying tunnel is counted at its plain 14 bytes.
    static func mtuCost(_ p: PacketView, tunnelLevel l: Int, outer: IPFields, tunnel: TunnelFields) -> Int {
        var cost = max(0, tunnel.innerOffset - outer.offset)
        guard l + 1 < p.levelCount else { return cost }
        if let inner = p.levels[l + 1].ip { return inner.offset - outer.offset }
        if p.levels[l + 1].ethernet != nil { cost += 14 }
        return cost
    }

    /// Packets, bytes and overhead add up.
    static var creditsAddUp: Bool { true }

    /// A flow's first packet (its signature's first frame), a SYN (MSS), anything above a
    /// planned MTU (oversize, offload aggregates), and a tunnel to the wrong host while its
    /// evidence list has room.
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool {
        if frame.flow.position <= 1 { return true }
        // Levels up to the first tunnel's are on the underlay; the ones inside it, on the container network.
        var mtu = underlayMTU
        for i in 0..<p.levelCount {
            if let ip = p.levels[i].ip, ip.totalLength > mtu { return true }
            if p.levels[i].transport.kind == .tcp, p.levels[i].transport.tcpFlags.contains(.syn) { return true }
            if p.levels[i].tunnel != nil, let innerMTU { mtu = min(mtu, innerMTU) }
        }
        return frame.flow.fact && !findings.vtepMismatches.isFull
    }

    /// The flow's tunnel goes to another host than the one owning its inner destination.
    @inline(__always)
    func flowFact(_ p: PacketView, frame: FrameContext) -> Bool {
        guard let l = p.firstTunnelLevel, let outer = p.levels[l].ip, let i = frame.flow.innermostIPLevel, i > l,
            let inner = p.levels[i].ip
        else { return false }
        return vtepMismatch(outer: outer.destination, inner: inner.destination) != nil
    }

    /// The host owning `inner` when the tunnel goes elsewhere (`outer`).
    @inline(__always)
    func vtepMismatch(outer: IPAddress, inner: IPAddress) -> Int? {
        guard let o = topology.owner(of: inner), topology.address(ofNode: o) != outer else { return nil }
        return o
    }

    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        guard let signature = flow.tunnel else { return }
        var t = findings.totals[signature.kind] ?? TunnelTotals()
        t.packets += counts.packets
        t.frames += counts.packets
        t.bytes += counts.bytes
        t.overheadBytes += counts.packets * flow.tunnelCost
        findings.totals[signature.kind] = t
        count(signature, counts.packets, ref: nil)
        let inner = flow.innerLevel > 0 ? flow.inner.destination : nil
        judgeEnds(outerSource: flow.tunnelSource, outerDestination: flow.tunnelDestination, innerSource: flow.innerLevel > 0 ? flow.inner.source : nil,
                  innerDestination: inner, ref: nil, packets: counts.packets)
    }

    /// Does the tunnel carry plan traffic, and does it go to the right host? `ref` is the frame
    /// observed (nil: `packets` frames credited by the fast path, past the evidence list's limit).
    mutating func judgeEnds(outerSource: IPAddress, outerDestination: IPAddress, innerSource: IPAddress?, innerDestination: IPAddress?, ref: FrameRef?, packets n: Int) {
        let outerPlanned = topology.node(at: outerSource) != nil || topology.node(at: outerDestination) != nil
        if let innerSource, let innerDestination {
            let innerOwner = topology.owner(of: innerDestination)
            if outerPlanned || innerOwner != nil || topology.isContainer(innerSource) { findings.planRelevant += n }
            if innerOwner != nil {
                findings.vtepJudged += n
                if let o = vtepMismatch(outer: outerDestination, inner: innerDestination) {
                    if let ref {
                        findings.vtepMismatches.add(ref, .wrongEndpoint(innerDestination: innerDestination, owner: o, outerDestination: outerDestination))
                    } else {
                        findings.vtepMismatches.omit(n)
                    }
                }
            }
        } else if outerPlanned {
            findings.planRelevant += n
        }
    }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        guard p.levelCount > 0 else { return }
        let innermost = frame.innermostIPLevel(of: p)
        noteMSS(p, innermost: innermost, ref)
        // Later fragments carry no tunnel header: account them to the tunnel their first fragment named.
        if let outer = p.levels[0].ip, outer.isFragment, outer.fragmentOffset != 0 {
            let key = FragmentKey(
                capture: ref.capture, source: outer.source, destination: outer.destination,
                identification: outer.identification, protocolNumber: outer.protocolNumber)
            if let kind = fragmentKinds[key] {
                var t = findings.totals[kind] ?? TunnelTotals()
                t.frames += 1
                t.bytes += p.originalLength
                t.overheadBytes += outer.headerLength
                findings.totals[kind] = t
                findings.fragments.add(ref, .laterFragment(kind, source: outer.source, destination: outer.destination, offset: Int(outer.fragmentOffset) * 8))
            } else if pendingFragments.count < Self.maxFragmentGroups {
                let old = pendingFragments[key]
                pendingFragments[key] = (
                    (old?.frames ?? 0) + 1, (old?.bytes ?? 0) + p.originalLength, (old?.headers ?? 0) + outer.headerLength,
                    old?.first ?? ref)
            } else {
                findings.fragmentEvictions += 1
            }
            return
        }
        guard let l = p.firstTunnelLevel, let tunnel = p.levels[l].tunnel, let outer = p.levels[l].ip,
            p.levels[l].origin != .icmpQuote
        else {
            // A plain TCP frame above the link MTU, unfragmented: an offload aggregate too.
            if let i = innermost, let ip = p.levels[i].ip, p.levels[i].transport.kind == .tcp, !ip.isFragment,
                !ip.lengthFromFrame, ip.totalLength > underlayMTU
            {
                noteAggregate(ref)
            }
            return
        }
        let kind = tunnel.kind
        // The inner packet's length from the headers: the inner Ethernet frame for VXLAN/GENEVE
        // (UDP length − tunnel header), the inner IP packet's declared length for IP-in-IP and GRE.
        var innerLength = max(0, tunnel.innerLength)
        if kind != .vxlan && kind != .geneve && kind != .vxlanGPE, l + 1 < p.levelCount, let inner = p.levels[l + 1].ip,
            p.levels[l + 1].ethernet == nil
        {
            innerLength = inner.totalLength
        }
        var t = findings.totals[kind] ?? TunnelTotals()
        t.packets += 1
        t.frames += 1
        t.bytes += p.originalLength
        t.overheadBytes += Self.mtuCost(p, tunnelLevel: l, outer: outer, tunnel: tunnel)
        let signature = TunnelSignature(kind: kind, vni: tunnel.vni, port: tunnel.udpPort)
        count(signature, 1, ref: ref)

        if outer.isFragment {
            let key = FragmentKey(
                capture: ref.capture, source: outer.source, destination: outer.destination,
                identification: outer.identification, protocolNumber: outer.protocolNumber)
            if fragmentKinds.count >= Self.maxFragmentGroups {
                fragmentKinds.removeAll(keepingCapacity: true)
                findings.fragmentEvictions += 1
            }
            fragmentKinds[key] = kind
            // Most first fragments come first: no lookup while nothing waits.
            if !pendingFragments.isEmpty, let waiting = pendingFragments.removeValue(forKey: key) {
                t.frames += waiting.frames
                t.bytes += waiting.bytes
                t.overheadBytes += waiting.headers
                findings.fragments.add(waiting.first, .fragmentBeforeFirst(kind, source: outer.source, destination: outer.destination, later: ref))
            }
            findings.fragments.add(ref, .fragmented(kind, source: outer.source, destination: outer.destination, innerBytes: innerLength, underlayMTU: underlayMTU))
        }
        findings.totals[kind] = t

        // Segmentation offload merges TCP segments, never anything else, and never fragments:
        // such a frame above the MTU was built by the capturing host's stack, not sent on a wire.
        var carriesTCP = false, innerTooBig = false
        if let i = innermost, i > l {
            carriesTCP = p.levels[i].transport.kind == .tcp
            if let innerMTU, let inner = p.levels[i].ip { innerTooBig = inner.totalLength > innerMTU }
        }
        if carriesTCP, !outer.isFragment, !outer.lengthFromFrame, outer.totalLength > underlayMTU || innerTooBig {
            noteAggregate(ref)
        } else {
            if !outer.lengthFromFrame, outer.totalLength > underlayMTU {
                findings.oversize.add(ref, .oversizeTunnel(kind, bytes: outer.totalLength, underlayMTU: underlayMTU))
            }
            if let innerMTU, let i = innermost, i > l, let inner = p.levels[i].ip, !inner.lengthFromFrame,
                inner.totalLength > innerMTU
            {
                findings.oversize.add(ref, .oversizeInner(bytes: inner.totalLength, containerMTU: innerMTU))
            }
        }

        var inner: IPFields?
        if let i = innermost, i > l { inner = p.levels[i].ip }
        judgeEnds(outerSource: outer.source, outerDestination: outer.destination, innerSource: inner?.source, innerDestination: inner?.destination, ref: ref, packets: 1)
    }
}
