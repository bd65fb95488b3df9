// One verification: captures are fed frame by frame (from files or a live
// interface) into small analysers; at the end the checks read their results
// and the plan, and make the verdict.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// A verification in progress. Feed it frames with `observe`, then ask for the `verdict()`.
public struct VerificationSession {
    public let plan: Plan
    public let topology: Topology
    let decoder: PacketDecoder
    /// The decoded packet, reused for every frame.
    var packet = DecodedPacket()

    var captures: [CaptureSummary] = []
    var linkTypes: [LinkType] = []

    var traffic = TrafficAnalyser()
    var nat = NATCorrelator()
    var tunnels: TunnelAnalyser
    var icmp = ICMPAnalyser()
    var blackHoles = BlackHoleDetector()
    var arp = ARPAnalyser()
    var nextHops = NextHopAnalyser()
    var control = ControlPlaneAnalyser()
    /// The analysers this session runs (all, unless it is one half of a parallel read).
    var running = AnalyserSet.all

    /// Starts a verification of `plan`. The plan's VXLAN and GENEVE ports are decoded as such.
    public init(plan: Plan) {
        self.plan = plan
        topology = Topology(plan: plan)
        var options = DecoderOptions()
        if let v = plan.transport.vxlan { options.addVXLANPort(v.port) }
        if let g = plan.transport.geneve { options.addGENEVEPort(g.port) }
        decoder = PacketDecoder(options: options)
        tunnels = TunnelAnalyser(underlayMTU: plan.underlay.mtu, innerMTU: plan.transport.mtu)
        nat.singlePointCandidates.reserveCapacity(NATCorrelator.maxCandidates)
    }

    /// Registers a capture (a file or a live interface); returns its index for `observe`.
    public mutating func addCapture(path: String, linkType: LinkType, linkTypeName: String) -> Int {
        captures.append(CaptureSummary(path: path, linktype: linkTypeName))
        linkTypes.append(linkType)
        return captures.count - 1
    }

    /// Feeds one frame of capture `index`.
    public mutating func observe(capture index: Int, info: FrameInfo, bytes: borrowing RawSpan) {
        decoder.decode(bytes, linkType: linkTypes[index], originalLength: info.originalLength, into: &packet)
        let ref = FrameRef(capture: index, frame: info.number)
        captures[index].packets += 1
        captures[index].bytes += info.originalLength
        if captures[index].firstTime == nil { captures[index].firstTime = info.time }
        captures[index].lastTime = info.time
        if packet.isMalformed { captures[index].malformed += 1 }
        Self.analyse(
            packet, ref: ref, bytes: bytes, time: info.time, topology: topology, running: running, traffic: &traffic, nat: &nat,
            tunnels: &tunnels, icmp: &icmp, blackHoles: &blackHoles, arp: &arp, nextHops: &nextHops, control: &control)
    }

    /// Hands one decoded packet to every analyser. The packet and the analysers are
    /// separate parameters, so each analyser borrows the packet in place: no copy of
    /// its slots is made per analyser.
    static func analyse(
        _ packet: borrowing DecodedPacket, ref: FrameRef, bytes: borrowing RawSpan, time: Double, topology: Topology,
        running: AnalyserSet,
        traffic: inout TrafficAnalyser, nat: inout NATCorrelator, tunnels: inout TunnelAnalyser, icmp: inout ICMPAnalyser,
        blackHoles: inout BlackHoleDetector, arp: inout ARPAnalyser, nextHops: inout NextHopAnalyser,
        control: inout ControlPlaneAnalyser
    ) {
        if running.contains(.traffic) { traffic.observe(packet, ref: ref, topology: topology) }
        if running.contains(.nat) { nat.observe(packet, ref: ref, bytes: bytes, topology: topology) }
        if running.contains(.tunnels) { tunnels.observe(packet, ref: ref, topology: topology) }
        if running.contains(.icmp) { icmp.observe(packet, ref: ref, topology: topology) }
        if running.contains(.blackHoles) { blackHoles.observe(packet, ref: ref) }
        if running.contains(.arp) { arp.observe(packet, ref: ref, bytes: bytes) }
        if running.contains(.nextHops) { nextHops.observe(packet, ref: ref, topology: topology) }
        if running.contains(.control) { control.observe(packet, ref: ref, bytes: bytes, time: time) }
    }

    /// Marks capture `index` as read only up to `frame` (exclusive), for `reason`.
    public mutating func markIncomplete(capture index: Int, frame: Int, reason: String) {
        captures[index].incomplete = IncompleteRead(frame: frame, reason: reason)
    }

    /// Records a live capture's drop counters.
    public mutating func setDrops(capture index: Int, _ drops: CaptureDrops) {
        captures[index].drops = drops
    }

    /// Reads a capture file to its end (or to where it is cut) and feeds every frame.
    /// Throws when the file cannot be opened at all; a cut file is marked incomplete instead.
    /// `progress` is called every 4096 frames with the frames and bytes (records included) read so far.
    /// `name` is how the capture is named in the verdict (default: `path`).
    public mutating func read(path: String, name: String? = nil, progress: ((Int, Int) -> Void)? = nil) throws(CaptureError) {
        var reader = try CaptureFileReader(path: path)
        let index = addCapture(path: name ?? path, linkType: reader.linkType, linkTypeName: reader.linkTypeName)
        var fileBytes = 24
        do {
            try reader.forEachFrame { info, bytes in
                observe(capture: index, info: info, bytes: bytes)
                fileBytes += 16 + info.capturedLength
                if info.number & 4095 == 0 { progress?(info.number, fileBytes) }
                return true
            }
        } catch {
            markIncomplete(capture: index, frame: error.frame ?? (reader.framesRead + 1), reason: error.message)
        }
        if reader.invalidTimestamps > 0 { captures[index].invalidTimestamps = reader.invalidTimestamps }
    }

    /// The verdict over everything fed so far.
    public func verdict() -> Verdict {
        var verdict = Verdict(plan: plan.name, planPath: plan.source.file, tool: "crosswire \(verdictToolVersion)")
        verdict.captures = captures
        // BGP data the reassembler still holds (behind a gap) counts too.
        var finished = self
        finished.control.flush()
        let context = CheckContext(session: finished)
        // The two NAT checks come from one classification of the translations.
        let nat = context.natChecks()
        verdict.checks = CheckID.allCases.map { id in
            switch id {
            case .natSource: nat.source
            case .natDestination: nat.destination
            default: context.evaluate(id)
            }
        }
        verdict.metrics = context.metrics()
        verdict.events = finished.control.events(capturePaths: captures.map(\.path))
        verdict.bgpRoutes = context.bgpRows
        verdict.ospfRoutes = context.ospfRows
        verdict.ospfAdjacencies = context.ospfAdjacencyRows
        return verdict
    }
}

/// The version written into verdicts.
public let verdictToolVersion = "0.1.0"

extension Topology {
    /// The plan's hosts and routers.
    public init(plan: Plan) {
        var nodes: [TopologyNode] = plan.hosts.map {
            TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, containers: $0.containers, asn: $0.asn, routerID: $0.routerID)
        }
        nodes += plan.routers.map { TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, isRouter: true) }
        self.init(nodes: nodes)
    }
}
