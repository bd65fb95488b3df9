// The registry: every analyser of a verification, in the order each sees a frame.

import CrosswireDecoder

// A new analyser is its own file, a stored property and one line of `forEach`
// here, and its findings' field in Findings.swift.

/// The analysers of one session.
struct Analysers {
    var traffic: TrafficAnalyser
    var nat: NATCorrelator
    var tunnels: TunnelAnalyser
    var icmp: ICMPAnalyser
    var blackHoles: BlackHoleDetector
    var arp: ARPAnalyser
    var nextHops: NextHopAnalyser
    var control: ControlPlaneAnalyser
    var flows: FlowAnalyser
    var delivery: DeliveryAnalyser
    var checksums: ChecksumAnalyser

    init(topology: Topology) {
        traffic = .init(topology: topology)
        nat = .init(topology: topology)
        tunnels = .init(topology: topology)
        icmp = .init(topology: topology)
        blackHoles = .init(topology: topology)
        arp = .init(topology: topology)
        nextHops = .init(topology: topology)
        control = .init(topology: topology)
        flows = .init(topology: topology)
        delivery = .init(topology: topology)
        checksums = .init(topology: topology)
    }

    /// The run can show one capture point only (`VerificationSession.open`): what matches
    /// packets across points has no second point to match them at.
    mutating func expectOnePoint() { delivery.onePoint = true }

    /// Fresh analysers, told what these were told (the analysers' thread's).
    func configured(topology: Topology) -> Analysers {
        var fresh = Analysers(topology: topology)
        if delivery.onePoint { fresh.expectOnePoint() }
        return fresh
    }

    /// The list, in the order each sees a frame.
    @inline(__always)
    mutating func forEach(
        _ v: inout some AnalyserVisitor, packet p: PacketView, bytes b: borrowing RawSpan, frame f: FrameContext
    ) {
        v.visit(&traffic, packet: p, bytes: b, frame: f)
        v.visit(&nat, packet: p, bytes: b, frame: f)
        v.visit(&tunnels, packet: p, bytes: b, frame: f)
        v.visit(&icmp, packet: p, bytes: b, frame: f)
        v.visit(&blackHoles, packet: p, bytes: b, frame: f)
        v.visit(&arp, packet: p, bytes: b, frame: f)
        v.visit(&nextHops, packet: p, bytes: b, frame: f)
        v.visit(&control, packet: p, bytes: b, frame: f)
        v.visit(&flows, packet: p, bytes: b, frame: f)
        v.visit(&delivery, packet: p, bytes: b, frame: f)
        v.visit(&checksums, packet: p, bytes: b, frame: f)
    }

    /// Visits every analyser without a frame (its packet is empty).
    mutating func forEach(_ v: inout some AnalyserVisitor) {
        var empty = DecodedPacket()
        let nothing = UnsafeRawBufferPointer(start: nil, count: 0)
        let frame = FrameContext(ref: FrameRef(capture: CaptureID(-1), frame: 0), time: Timestamp(nanoseconds: 0))
        withUnsafePointer(to: &empty) { forEach(&v, packet: PacketView($0), bytes: nothing.bytes, frame: frame) }
    }

    /// Credits every analyser with packets of `flow` it did not observe.
    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        var visitor = CreditVisitor(flow: flow, counts: counts)
        forEach(&visitor)
    }

    /// Credits every flow of `table` with pending counts.
    mutating func credit(_ table: FlowTable) {
        table.pending.forEachPending { flow, counts in credit(flow, counts) }
    }

    /// The findings of every analyser, written into `findings`.
    func finish(into findings: inout Findings) {
        var copy = self
        var visitor = FinishVisitor(findings: findings)
        copy.forEach(&visitor)
        findings = visitor.findings
    }
}
