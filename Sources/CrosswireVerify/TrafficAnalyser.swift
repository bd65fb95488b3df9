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

    /// (source owner, destination owner) of container-to-container traffic between two hosts.
    var containerPairs: Set<PairKey> = []

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
    struct PairTotals {
        var packets = 0
        var bytes = 0
        mutating func add(packets n: Int, bytes length: Int) { packets += n; bytes += length }
    }
}

struct TrafficAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, TrafficFindings> { \.traffic }
    let topology: Topology
    var findings = TrafficFindings()
    /// The pair last inserted into `containerPairs`: a flow's packets insert it once, not each time.
    private var lastContainerPair: TrafficFindings.PairKey?
    /// The node pair of the latest frames and what they add to `findings.pairs`, not added yet:
    /// frames come in runs of one pair, and a dictionary update for each hashed the pair.
    private var pairRun: (key: TrafficFindings.PairKey, totals: TrafficFindings.PairTotals)?

    init(topology: Topology) { self.topology = topology }

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
        var copy = self
        copy.endPairRun()
        return copy.findings
    }

    private mutating func endPairRun() {
        guard let run = pairRun else { return }
        var totals = findings.pairs[run.key] ?? TrafficFindings.PairTotals()
        totals.add(packets: run.totals.packets, bytes: run.totals.bytes)
        findings.pairs[run.key] = totals
        pairRun = nil
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
        guard let i = p.innermostIPLevel, let ip = p.levels[i].ip else {
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
            if let srcOwner, let dstOwner, srcOwner != dstOwner {
                let pair = TrafficFindings.PairKey(from: Int16(srcOwner), to: Int16(dstOwner))
                if pair != lastContainerPair {
                    findings.containerPairs.insert(pair)
                    lastContainerPair = pair
                }
                if let link { notePlain(link, ref, n) }
            }
        }
        let from = Self.nodeIndex(source, topology), to = Self.nodeIndex(destination, topology)
        if from != nil || to != nil {
            let key = TrafficFindings.PairKey(from: Int16(from ?? -1), to: Int16(to ?? -1))
            if let run = pairRun, run.key == key {
                pairRun!.totals.add(packets: n, bytes: bytes)
            } else {
                endPairRun()
                pairRun = (key, TrafficFindings.PairTotals(packets: n, bytes: bytes))
            }
        }
    }
}
