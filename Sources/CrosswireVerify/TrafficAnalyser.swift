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
    var firstMalformed = EvidenceList(limit: 10)
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

    struct PairKey: Hashable { var from: Int16; var to: Int16 }
    struct PairTotals {
        var packets = 0
        var bytes = 0
        mutating func add(_ length: Int) { packets += 1; bytes += length }
    }
}

struct TrafficAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, TrafficFindings> { \.traffic }
    let topology: Topology
    var findings = TrafficFindings()
    /// The pair last inserted into `containerPairs`: a flow's packets insert it once, not each time.
    private var lastContainerPair: TrafficFindings.PairKey?

    init(topology: Topology) { self.topology = topology }

    private mutating func notePlain(_ pair: TrafficFindings.MACPair, _ ref: FrameRef) {
        if var seen = findings.plainCrossHost[pair] {
            seen.count += 1
            if seen.firsts.count < 3 { seen.firsts.append(ref) }  // the first frames are the evidence
            findings.plainCrossHost[pair] = seen
        } else if findings.plainCrossHost.count < TrafficFindings.maxPlainPairs {
            findings.plainCrossHost[pair] = (1, [ref])
        } else {
            findings.plainCrossHostDropped += 1
        }
    }
    func finish() -> TrafficFindings { findings }

    /// The node an address belongs to: the host owning a container address, or the node with that underlay address.
    static func nodeIndex(_ a: IPAddress, _ topology: Topology) -> Int? {
        topology.owner(of: a) ?? topology.node(at: a)
    }

    mutating func observe(_ p: borrowing DecodedPacket, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        findings.packets += 1
        findings.bytes += p.originalLength
        if p.isMalformed {
            findings.malformed += 1
            if let stop = p.stop { findings.firstMalformed.add(ref, "decoding stopped: \(stop)") }
        }
        guard let i = p.innermostIPLevel, let ip = p.levels[i].ip else { return }
        let srcOwner = topology.owner(of: ip.source), dstOwner = topology.owner(of: ip.destination)
        if srcOwner != nil || dstOwner != nil {
            findings.containerFrames += 1
            if findings.firstContainerFrame == nil { findings.firstContainerFrame = ref }
            if srcOwner != dstOwner { findings.crossHostFrames += 1 }
            if let srcOwner, let dstOwner, srcOwner != dstOwner {
                let pair = TrafficFindings.PairKey(from: Int16(srcOwner), to: Int16(dstOwner))
                if pair != lastContainerPair {
                    findings.containerPairs.insert(pair)
                    lastContainerPair = pair
                }
                if p.firstTunnelLevel == nil, let eth = p.levels[0].ethernet {
                    notePlain(TrafficFindings.MACPair(source: eth.source, destination: eth.destination), ref)
                }
            }
        }
        let from = Self.nodeIndex(ip.source, topology), to = Self.nodeIndex(ip.destination, topology)
        if from != nil || to != nil {
            let key = TrafficFindings.PairKey(from: Int16(from ?? -1), to: Int16(to ?? -1))
            findings.pairs[key, default: TrafficFindings.PairTotals()].add(p.originalLength)  // one lookup
        }
    }
}
