// Counts what was seen: packets, bytes, container traffic, traffic between
// planned nodes.

import CrosswireDecoder

/// Totals and the container traffic the other checks judge.
struct TrafficFindings {
    var packets = 0
    var bytes = 0
    var malformed = 0
    /// Frames whose innermost packet has a container address at one end.
    var containerFrames = 0
    /// ... and whose two ends are not the same host.
    var crossHostFrames = 0
    var firstContainerFrame: FrameRef?
    /// Traffic per (source node, destination node); -1 is "outside the plan".
    var pairs: [PairKey: PairTotals] = [:]

    /// Container-to-container packets between two hosts that no tunnel carries, by link
    /// addresses: `encap.mode` judges those whose MAC is a planned node's (on the underlay).
    var plainCrossHost: [MACPair: (count: Int, firsts: [FrameRef])] = [:]
    var plainCrossHostDropped = 0
    static let maxPlainPairs = 1_024

    struct MACPair: Hashable { var source: MACAddress; var destination: MACAddress }

    struct PairKey: Hashable {
        var from: Int16
        var to: Int16
        // One word to hash, not two (the analysers' hashes are about 12% of their thread).
        func hash(into h: inout Hasher) { h.combine(UInt32(UInt16(bitPattern: from)) << 16 | UInt32(UInt16(bitPattern: to))) }
    }
    struct PairTotals: BitwiseCopyable {
        var packets = 0
        var bytes = 0
        mutating func add(packets n: Int, bytes length: Int) { packets += n; bytes += length }
    }
}

struct TrafficAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, TrafficFindings> { \.traffic }
    let topology: Topology
    var findings = TrafficFindings()
    /// `findings.pairs` of the first `matrixNodes` nodes, by (from + 1) × (side) + (to + 1), moved
    /// into the dictionary at `finish`: a dictionary update per frame hashed the pair, and the
    /// two directions of a flow alternate.
    private var pairMatrix = ZeroedSlots<TrafficFindings.PairTotals>()
    private let matrixSide: Int
    static let matrixNodes = 255

    init(topology: Topology) {
        self.topology = topology
        matrixSide = min(topology.nodes.count, Self.matrixNodes) + 1
    }

    /// `n` frames of `pair`; `ref` is the frame observed (nil: frames credited by the fast path).
    private mutating func notePlain(_ pair: TrafficFindings.MACPair, _ ref: FrameRef?, _ n: Int) {
        if var seen = findings.plainCrossHost[pair] {
            seen.count += n
            if let ref, seen.firsts.count < 3 { seen.firsts.append(ref) }  // the first frames are the evidence
            findings.plainCrossHost[pair] = seen
        } else if let ref, findings.plainCrossHost.count < TrafficFindings.maxPlainPairs {
            findings.plainCrossHost[pair] = (n, [ref])
        } else {
            findings.plainCrossHostDropped += n
        }
    }
    func finish() -> TrafficFindings {
        var found = findings
        for cell in 0..<pairMatrix.count where pairMatrix[cell].packets > 0 {
            let key = TrafficFindings.PairKey(from: Int16(cell / matrixSide - 1), to: Int16(cell % matrixSide - 1))
            found.pairs[key, default: .init()].add(packets: pairMatrix[cell].packets, bytes: pairMatrix[cell].bytes)
        }
        return found
    }

    /// Adds to the totals of a node pair (-1: outside the plan).
    private mutating func addPair(from: Int, to: Int, packets n: Int, bytes: Int) {
        guard from < Self.matrixNodes, to < Self.matrixNodes else {
            findings.pairs[.init(from: Int16(from), to: Int16(to)), default: .init()].add(packets: n, bytes: bytes)
            return
        }
        if pairMatrix.isEmpty { pairMatrix = ZeroedSlots(count: matrixSide * matrixSide) }
        pairMatrix[(from + 1) * matrixSide + to + 1].add(packets: n, bytes: bytes)
    }

    /// The node an address belongs to: the host owning a container address, or the node with that underlay address.
    static func nodeIndex(_ a: IPAddress, _ topology: Topology) -> Int? {
        topology.owner(of: a) ?? topology.node(at: a)
    }

    /// Packets, bytes and pair totals add up.
    static var creditsAddUp: Bool { true }

    /// The evidence keeps a MAC pair's first 3 frames, each among the first 3 of its flow.
    @inline(__always)
    func isNew(_: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool { frame.flow.position <= 3 }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        if p.isMalformed { findings.malformed += 1 }
        guard let i = frame.innermostIPLevel(of: p), let ip = p.levels[i].ip else {
            findings.packets += 1
            findings.bytes += p.originalLength
            return
        }
        let eth = p.levels[0].ethernet
        count(ip.source, ip.destination, link: p.firstTunnelLevel == nil ? eth.map { .init(source: $0.source, destination: $0.destination) } : nil,
              packets: 1, bytes: p.originalLength, ref: ref)
    }

    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        var link: TrafficFindings.MACPair?
        if flow.tunnel == nil, let s = flow.linkSource, let d = flow.linkDestination { link = .init(source: s, destination: d) }
        count(flow.inner.source, flow.inner.destination, link: link, packets: counts.packets, bytes: counts.bytes, ref: nil)
    }

    /// `packets` IP packets of `bytes` bytes from `source` to `destination`, not tunnelled when `link`
    /// names their Ethernet addresses; `ref` is the frame observed (nil: credited by the fast path).
    private mutating func count(_ source: IPAddress, _ destination: IPAddress, link: TrafficFindings.MACPair?, packets n: Int, bytes: Int, ref: FrameRef?) {
        findings.packets += n
        findings.bytes += bytes
        let srcOwner = topology.owner(of: source), dstOwner = topology.owner(of: destination)
        if srcOwner != nil || dstOwner != nil {
            findings.containerFrames += n
            if findings.firstContainerFrame == nil { findings.firstContainerFrame = ref }
            if srcOwner != dstOwner { findings.crossHostFrames += n }
            if let link, let srcOwner, let dstOwner, srcOwner != dstOwner { notePlain(link, ref, n) }
        }
        let from = Self.nodeIndex(source, topology), to = Self.nodeIndex(destination, topology)
        if from != nil || to != nil { addPair(from: from ?? -1, to: to ?? -1, packets: n, bytes: bytes) }
    }
}
