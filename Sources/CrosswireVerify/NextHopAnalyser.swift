// Collects, for frames towards container subnets, who sent them to which MAC
// (and, for tunnels, to which outer address). Judged at the end, when ARP
// and the plan tell which MAC is whose.

import CrosswireDecoder

struct NextHopAnalyser {
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
    static let maxKeys = 4096

    var groups: [Key: (count: Int, frames: [FrameRef], destination: IPAddress)] = [:]
    var withoutEthernet = 0
    var dropped = 0

    mutating func observe(_ p: borrowing DecodedPacket, ref: FrameRef, topology: Topology) {
        guard let i = p.innermostIPLevel, let inner = p.levels[i].ip, let owner = topology.owner(of: inner.destination) else {
            return
        }
        // The frame's own link layer and first IP header: the hop this frame takes.
        guard let eth = p.levels[0].ethernet else {
            withoutEthernet += 1
            return
        }
        guard let outer = p.levels[0].ip else { return }
        let tunnelled = i > 0
        let key = Key(
            sourceMAC: eth.source, destinationMAC: eth.destination, owner: Int16(owner),
            outerDestination: tunnelled ? outer.destination : nil, sourceIP: outer.source)
        if let at = groups.index(forKey: key) {
            // In place: one lookup, and no copy of the frames array to append to.
            groups.values[at].count += 1
            if groups.values[at].frames.count < 5 { groups.values[at].frames.append(ref) }
        } else if groups.count < Self.maxKeys {
            groups[key] = (1, [ref], inner.destination)
        } else {
            dropped += 1
        }
    }
}
