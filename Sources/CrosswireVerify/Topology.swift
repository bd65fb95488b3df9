// The plan's nodes as the analysers and checks need them: who owns which
// container subnet, which address and MAC belong to which host or router.
// Built once from the plan; ownership is the plan's rule (longest prefix).

import CrosswireDecoder
import CrosswirePlan

/// A host or router of the plan, reduced to what packets can be matched against.
public struct TopologyNode: Sendable, Hashable {
    public var name: String
    /// The underlay address (the first, for a dual-stack node).
    public var address: IPAddress
    /// Every underlay address: one, or one per family.
    public var addresses: [IPAddress]
    public var mac: MACAddress?
    /// The container subnet (hosts only; the first, for a dual-stack host).
    public var containers: IPPrefix?
    /// Every container subnet: none (routers), one, or one per family.
    public var containerSubnets: [IPPrefix]
    public var isRouter: Bool
    public var asn: UInt32?
    public var routerID: IPv4Address?

    public init(
        name: String, address: IPAddress, mac: MACAddress? = nil, containers: IPPrefix? = nil, isRouter: Bool = false,
        asn: UInt32? = nil, routerID: IPv4Address? = nil
    ) {
        self.name = name; self.address = address; self.mac = mac; self.containers = containers
        self.isRouter = isRouter; self.asn = asn; self.routerID = routerID
        addresses = [address]
        containerSubnets = containers.map { [$0] } ?? []
    }
}

/// The plan's hosts and routers, with lookups that never allocate. A class: every analyser
/// shares the one instance, and a call that takes it never copies the plan.
public final class Topology: Sendable {
    /// The plan it was built from: what the checks expect.
    public let plan: Plan
    public let nodes: [TopologyNode]
    /// The IPv4 container subnets (in the plan's ownership order) and underlay addresses
    /// (in node order) as plain integers: every packet is looked up several times, and
    /// comparing integers in a small array costs a fraction of walking the nodes and
    /// their address enums.
    private let v4Subnets: [(network: UInt32, mask: UInt32, node: Int)]
    private let v4Addresses: [(address: UInt32, node: Int)]
    /// The IPv6 container subnets (in the plan's ownership order) and underlay addresses.
    private let v6Subnets: [(prefix: IPPrefix, node: Int)]
    private let v6Addresses: [(address: IPAddress, node: Int)]
    /// Each node's address, apart: reading `nodes[i].address` copies the whole node.
    private let nodeAddresses: [IPAddress]

    /// The plan's hosts, then its routers.
    public init(plan: Plan) {
        var nodes: [TopologyNode] = plan.hosts.map {
            var node = TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, containers: $0.containers, asn: $0.asn, routerID: $0.routerID)
            node.addresses = $0.addresses
            node.containerSubnets = $0.containerSubnets
            return node
        }
        nodes += plan.routers.map {
            var node = TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, isRouter: true)
            node.addresses = $0.addresses
            return node
        }
        self.plan = plan
        self.nodes = nodes
        // The plan's ownership order (hosts come first, so a host's index is its node's index):
        // the first subnet that holds an address is its owner.
        let ordered = plan.containerSubnetsInOwnershipOrder
        var subnets: [(network: UInt32, mask: UInt32, node: Int)] = []
        var addresses: [(address: UInt32, node: Int)] = []
        for s in ordered {
            if case .v4(let network) = s.subnet.network { subnets.append((network.rawValue, IPPrefix.mask32(s.subnet.length), s.host)) }
        }
        for (i, n) in nodes.enumerated() {
            for address in n.addresses { if case .v4(let a) = address { addresses.append((a.rawValue, i)) } }
        }
        v4Subnets = subnets
        v4Addresses = addresses
        v6Subnets = ordered.filter { !$0.subnet.network.isV4 }.map { (prefix: $0.subnet, node: $0.host) }
        v6Addresses = nodes.indices.flatMap { i in nodes[i].addresses.filter { !$0.isV4 }.map { (address: $0, node: i) } }
        nodeAddresses = nodes.map(\.address)
    }

    /// The address of node `i` (a host's or router's planned `address`). Per packet.
    @inline(__always)
    public func address(ofNode i: Int) -> IPAddress { nodeAddresses[i] }

    /// The index of the host whose container subnet holds `address`: `Plan.owner`'s answer
    /// (longest prefix, then plan order), from the table built in `init`. Per packet.
    @inline(__always)
    public func owner(of address: IPAddress) -> Int? {
        if case .v4(let a) = address {
            for s in v4Subnets where a.rawValue & s.mask == s.network { return s.node }
            return nil
        }
        for s in v6Subnets where s.prefix.contains(address) { return s.node }
        return nil
    }

    /// The index of the host or router whose underlay address is `address`.
    @inline(__always)
    public func node(at address: IPAddress) -> Int? {
        if case .v4(let a) = address {
            for n in v4Addresses where n.address == a.rawValue { return n.node }
            return nil
        }
        for n in v6Addresses where n.address == address { return n.node }
        return nil
    }

    /// The node one of whose planned addresses is `address`: an underlay address (either
    /// family) or its `router_id` (BGP between loopbacks, ORIGINATOR_ID). Not per packet.
    public func node(atPlanned address: IPAddress) -> Int? {
        if let n = node(at: address) { return n }
        guard case .v4(let a) = address else { return nil }
        return nodes.indices.first { nodes[$0].routerID == a }
    }

    /// True when `address` is inside some host's container subnet.
    @inline(__always)
    public func isContainer(_ address: IPAddress) -> Bool { owner(of: address) != nil }

    /// A planned party (docs/CHECKS.md): a container, a planned host or router, or an address
    /// of the hosts' own segment. NAT and ICMP errors are judged between planned parties only.
    public func isPlannedParty(_ address: IPAddress) -> Bool {
        if isContainer(address) || node(at: address) != nil { return true }
        return plan.underlay.subnet?.contains(address) ?? false
    }

    /// The node whose planned MAC is `mac`.
    public func node(withPlannedMAC mac: MACAddress) -> Int? {
        for i in nodes.indices where nodes[i].mac == mac { return i }
        return nil
    }

    /// A readable name for an address: `host1`, `host2 containers`, or the address itself.
    public func describe(_ address: IPAddress) -> String {
        if let n = node(at: address) { return "\(nodes[n].name) (\(address))" }
        if let o = owner(of: address) { return "\(address) (\(nodes[o].name) container)" }
        return address.description
    }
}

extension IPAddress {
    /// Multicast, limited broadcast: packets that are copied rather than forwarded, never translated one to one.
    var isMulticastOrBroadcast: Bool {
        switch self {
        case .v4(let a): a.rawValue >> 28 == 0xE || a.rawValue == 0xFFFF_FFFF
        case .v6(let a): a.high >> 56 == 0xFF
        }
    }

    /// 0.0.0.0 or ::.
    var isUnspecified: Bool {
        switch self {
        case .v4(let a): a.rawValue == 0
        case .v6(let a): a.high == 0 && a.low == 0
        }
    }
}
