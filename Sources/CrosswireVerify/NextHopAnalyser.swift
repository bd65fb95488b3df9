// Collects, for frames towards container subnets, who sent them to which MAC
// (and, for tunnels, to which outer address). Judged at the end, when ARP
// and the plan tell which MAC is whose.

import CrosswireDecoder

/// Frames towards container subnets, grouped by the hop they take.
struct NextHopFindings {
    struct Key: Hashable {
        var sourceMAC: MACAddress
        var destinationMAC: MACAddress
        /// The host owning the (inner) destination.
        var owner: Int16
        /// The outer destination for tunnel packets; nil for plain ones.
        var outerDestination: IPAddress?
        /// The sender's IP when it is a planned node (a host talking from its own address).
        var sourceIP: IPAddress
    }
    /// Per hop: frames, the first five seen, the destination, and the frame that comes first in the
    /// captures (by capture, then frame number), which is the same whatever the read order.
    var groups: [Key: (count: Int, frames: [FrameRef], destination: IPAddress, least: FrameRef)] = [:]
    var withoutEthernet = 0
    var dropped = 0
}

struct NextHopAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, NextHopFindings> { \.nextHops }
    static let maxKeys = 4096
    let topology: Topology
    var findings = NextHopFindings()
    init(topology: Topology) { self.topology = topology }
    func finish() -> NextHopFindings { findings }

    mutating func observe(_ p: borrowing DecodedPacket, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        guard let i = p.innermostIPLevel, let inner = p.levels[i].ip, let owner = topology.owner(of: inner.destination) else {
            return
        }
        // The frame's own link layer and first IP header: the hop this frame takes.
        guard let eth = p.levels[0].ethernet else {
            findings.withoutEthernet += 1
            return
        }
        guard let outer = p.levels[0].ip else { return }
        let tunnelled = i > 0
        let key = NextHopFindings.Key(
            sourceMAC: eth.source, destinationMAC: eth.destination, owner: Int16(owner),
            outerDestination: tunnelled ? outer.destination : nil, sourceIP: outer.source)
        if let at = findings.groups.index(forKey: key) {
            // In place: one lookup, and no copy of the frames array to append to.
            findings.groups.values[at].count += 1
            if findings.groups.values[at].frames.count < 5 { findings.groups.values[at].frames.append(ref) }
            if ref < findings.groups.values[at].least { findings.groups.values[at].least = ref }
        } else if findings.groups.count < Self.maxKeys {
            findings.groups[key] = (1, [ref], inner.destination, ref)
        } else {
            findings.dropped += 1
        }
    }
}
