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

    /// The list, with the thread each analyser runs on with two threads. The calling
    /// thread takes the control plane (BGP reassembly and OSPF, heavy when routing
    /// traffic is) with three light data-plane analysers; the helper takes NAT,
    /// tunnels, black holes and next hops, which cost most on plain data traffic.
    @inline(__always)
    mutating func forEach(
        _ v: inout some AnalyserVisitor, packet p: borrowing DecodedPacket, bytes b: borrowing RawSpan
    ) {
        v.visit(&traffic, thread: .first, packet: p, bytes: b)
        v.visit(&nat, thread: .second, packet: p, bytes: b)
        v.visit(&tunnels, thread: .second, packet: p, bytes: b)
        v.visit(&icmp, thread: .first, packet: p, bytes: b)
        v.visit(&blackHoles, thread: .second, packet: p, bytes: b)
        v.visit(&arp, thread: .first, packet: p, bytes: b)
        v.visit(&nextHops, thread: .second, packet: p, bytes: b)
        v.visit(&control, thread: .first, packet: p, bytes: b)
        v.visit(&flows, thread: .first, packet: p, bytes: b)
        v.visit(&delivery, thread: .second, packet: p, bytes: b)
        v.visit(&checksums, thread: .second, packet: p, bytes: b)
    }

    /// The findings of the analysers of `thread` (all when nil), written into `findings`.
    func finish(into findings: inout Findings, thread: AnalyserThread? = nil) {
        var copy = self
        var visitor = FinishVisitor(findings: findings, thread: thread)
        let nothing = UnsafeRawBufferPointer(start: nil, count: 0)
        copy.forEach(&visitor, packet: DecodedPacket(), bytes: nothing.bytes)
        findings = visitor.findings
    }
}
