// The plan's nodes as the analysers and checks need them: who owns which
// container subnet, which address and MAC belong to which host or router.
// Built once from the plan; ownership is the plan's rule (longest prefix).

import CrosswireDecoder
import CrosswirePlan

/// A host or router of the plan, reduced to what packets can be matched against.
public struct TopologyNode: Sendable, Hashable {
    public var name: String
    public var address: IPAddress
    public var mac: MACAddress?
    /// The container subnet (hosts only).
    public var containers: IPPrefix?
    public var isRouter: Bool
    public var asn: UInt32?
    public var routerID: IPv4Address?

    public init(
        name: String, address: IPAddress, mac: MACAddress? = nil, containers: IPPrefix? = nil, isRouter: Bool = false,
        asn: UInt32? = nil, routerID: IPv4Address? = nil
    ) {
        self.name = name; self.address = address; self.mac = mac; self.containers = containers
        self.isRouter = isRouter; self.asn = asn; self.routerID = routerID
    }
}

/// The plan's hosts and routers, with lookups that never allocate.
public struct Topology: Sendable {
    /// The plan it was built from: what the checks expect.
    public let plan: Plan
    public let nodes: [TopologyNode]
    /// The IPv4 container subnets and underlay addresses as plain integers, in node
    /// order: every packet is looked up several times, and comparing integers in a
    /// small array costs a fraction of walking the nodes and their address enums.
    private let v4Subnets: [(network: UInt32, mask: UInt32, node: Int)]
    private let v4Addresses: [(address: UInt32, node: Int)]

    /// Index order of the nodes that have containers: longest prefix first, then plan order,
    /// so that the first subnet holding an address is its owner (`Plan.owner`'s rule).
    private let byPrefixLength: [Int]

    /// The plan's hosts, then its routers.
    public init(plan: Plan) {
        var nodes: [TopologyNode] = plan.hosts.map {
            TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, containers: $0.containers, asn: $0.asn, routerID: $0.routerID)
        }
        nodes += plan.routers.map { TopologyNode(name: $0.name, address: $0.address, mac: $0.mac, isRouter: true) }
        self.init(plan: plan, nodes: nodes)
    }

    init(plan: Plan, nodes: [TopologyNode]) {
        self.plan = plan
        self.nodes = nodes
        byPrefixLength = nodes.indices.filter { nodes[$0].containers != nil }
            .sorted { (-nodes[$0].containers!.length, $0) < (-nodes[$1].containers!.length, $1) }
        var subnets: [(network: UInt32, mask: UInt32, node: Int)] = []
        var addresses: [(address: UInt32, node: Int)] = []
        for i in byPrefixLength {
            if let c = nodes[i].containers, case .v4(let network) = c.network {
                subnets.append((network.rawValue, IPPrefix.mask32(c.length), i))
            }
        }
        for (i, n) in nodes.enumerated() {
            if case .v4(let a) = n.address { addresses.append((a.rawValue, i)) }
        }
        v4Subnets = subnets
        v4Addresses = addresses
    }

    /// The index of the host whose container subnet holds `address`; with overlapping
    /// subnets, the longest prefix (then the first in the plan).
    public func owner(of address: IPAddress) -> Int? {
        if case .v4(let a) = address {
            for s in v4Subnets where a.rawValue & s.mask == s.network { return s.node }
            return nil
        }
        for i in byPrefixLength where nodes[i].containers!.contains(address) { return i }
        return nil
    }

    /// The index of the host or router whose underlay address is `address`.
    public func node(at address: IPAddress) -> Int? {
        if case .v4(let a) = address {
            for n in v4Addresses where n.address == a.rawValue { return n.node }
            return nil
        }
        for i in nodes.indices where nodes[i].address == address { return i }
        return nil
    }

    /// True when `address` is inside some host's container subnet.
    public func isContainer(_ address: IPAddress) -> Bool { owner(of: address) != nil }

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
