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
        /// The MACs and the owner in two words, then the addresses.
        func hash(into h: inout Hasher) {
            h.combine(sourceMAC.rawValue | UInt64(UInt16(bitPattern: owner)) << 48)
            h.combine(destinationMAC.rawValue | (outerDestination == nil ? 0 : 1 << 48))
            if let outerDestination { h.combine(outerDestination) }
            h.combine(sourceIP)
        }
    }
    /// Per hop: frames, the first five seen, the destination, and the frame that comes first in the
    /// captures (by capture, then frame number), which is the same whatever the read order.
    typealias Group = (count: Int, frames: [FrameRef], destination: IPAddress, least: FrameRef)
    var groups: [Key: Group] = [:]
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

    /// A hop's frame count adds up.
    static var creditsAddUp: Bool { true }

    /// A group keeps its first 5 frames, each among the first 5 of its flow.
    @inline(__always)
    func isNew(_: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool { frame.flow.position <= 5 }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        guard let i = frame.innermostIPLevel(of: p), let inner = p.levels[i].ip else { return }
        let eth = p.levels[0].ethernet
        guard let outer = p.levels[0].ip else {
            if eth == nil, topology.owner(of: inner.destination) != nil { findings.withoutEthernet += 1 }
            return
        }
        note(source: eth?.source, destination: eth?.destination, outerSource: outer.source, outerDestination: outer.destination,
             innerDestination: inner.destination, tunnelled: i > 0, ref: frame.ref, packets: 1)
    }

    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        note(source: flow.linkSource, destination: flow.linkDestination, outerSource: flow.outerSource, outerDestination: flow.outerDestination,
             innerDestination: flow.inner.destination, tunnelled: flow.innerLevel > 0, ref: nil, packets: counts.packets)
    }

    /// `n` frames of one hop; `ref` is the frame observed (nil: credited by the fast path).
    private mutating func note(
        source: MACAddress?, destination: MACAddress?, outerSource: IPAddress, outerDestination: IPAddress, innerDestination: IPAddress,
        tunnelled: Bool, ref: FrameRef?, packets n: Int
    ) {
        guard let owner = topology.owner(of: innerDestination) else { return }
        // The frame's own link layer and first IP header: the hop this frame takes.
        guard let source, let destination else {
            findings.withoutEthernet += n
            return
        }
        let key = NextHopFindings.Key(
            sourceMAC: source, destinationMAC: destination, owner: Int16(owner),
            outerDestination: tunnelled ? outerDestination : nil, sourceIP: outerSource)
        if let at = findings.groups.index(forKey: key) {
            // In place: one lookup and one access (each `values[at]` read copied the group and
            // retained its frames), and no copy of the frames array to append to.
            Self.add(n, ref, to: &findings.groups.values[at])
        } else if let ref, findings.groups.count < Self.maxKeys {
            findings.groups[key] = (n, [ref], innerDestination, ref)
        } else {
            findings.dropped += n
        }
    }

    private static func add(_ n: Int, _ ref: FrameRef?, to group: inout NextHopFindings.Group) {
        group.count += n
        guard let ref else { return }
        if group.frames.count < 5 { group.frames.append(ref) }
        if ref < group.least { group.least = ref }
    }
}
