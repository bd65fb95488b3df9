// The plan file (contract §1) as typed values: how the cross-host container
// network is *meant* to be. Values only; reading YAML is `PlanLoader`'s job,
// consistency rules are `PlanValidator`'s, questions the checks ask are in
// PlanQueries.swift.

import CrosswireDecoder

/// A plan: the intended cross-host container network (contract §1).
public struct Plan: Sendable, Hashable {
    /// `version`: the plan format version; always 1 for a loaded plan.
    public var version: Int
    /// `name`: shown in reports and in the verdict's `plan` field.
    public var name: String
    /// `description`: free text, optional.
    public var description: String?
    /// `underlay`: the hosts' physical network (defaults when the key is absent).
    public var underlay: Underlay
    /// `hosts`: the container hosts, at least one.
    public var hosts: [Host]
    /// `routers`: other layer-3 devices of the plan; empty when the key is absent.
    public var routers: [Router]
    /// `transport`: how container traffic crosses hosts.
    public var transport: Transport
    /// `nat`: which address translation is intended.
    public var nat: NATPolicy
    /// `services`: service CIDRs (Kubernetes ClusterIP ranges) whose DNAT to a container
    /// address is intended; empty when the key is absent.
    public var services: [IPPrefix]
    /// `publish`: the intended port mappings (`docker run -p`); empty when the key is absent.
    public var publish: [PublishedPort]
    /// `routes`: nil when the key is absent (every host reaches every other host's
    /// containers via that host's address, see `effectiveRoutes`); `[]` means no
    /// cross-host routes at all. The difference matters.
    public var routes: [Route]?
    /// `routing`: the routing protocol and its expected parameters.
    public var routing: Routing
    /// Where each value came from (file and line per key path); empty for a plan built in code.
    public var source: PlanSource

    /// A plan built in code; `source` is empty.
    public init(
        version: Int = 1, name: String, description: String? = nil, underlay: Underlay = Underlay(),
        hosts: [Host], routers: [Router] = [], transport: Transport, nat: NATPolicy,
        services: [IPPrefix] = [], publish: [PublishedPort] = [], routes: [Route]? = nil, routing: Routing,
        source: PlanSource = PlanSource()
    ) {
        self.version = version; self.name = name; self.description = description
        self.underlay = underlay; self.hosts = hosts; self.routers = routers
        self.transport = transport; self.nat = nat; self.services = services; self.publish = publish
        self.routes = routes; self.routing = routing; self.source = source
    }
}

/// `underlay`: the hosts' physical links.
public struct Underlay: Sendable, Hashable {
    /// `mtu`: MTU of the hosts' physical links; 1500 when not given.
    public var mtu: Int
    /// `subnet`: the hosts' own segment, optional.
    public var subnet: IPPrefix?

    public init(mtu: Int = 1500, subnet: IPPrefix? = nil) { self.mtu = mtu; self.subnet = subnet }
}

/// One entry of `hosts`: a machine running containers.
public struct Host: Sendable, Hashable {
    /// `name`: unique among hosts and routers.
    public var name: String
    /// `address`: the host's underlay (NIC) address; with a list (dual stack), its first entry.
    public var address: IPAddress { addresses[0] }
    /// `address` as written: one address, or a list of one IPv4 and one IPv6 (never empty).
    public var addresses: [IPAddress]
    /// `mac`: the NIC's MAC, optional; enables L2 next-hop checks.
    public var mac: MACAddress?
    /// `containers`: this host's container subnet (Docker `bip`); with a list, its first entry.
    /// Written in `bip` form (`192.168.10.1/24`) it is kept as its network (`192.168.10.0/24`).
    public var containers: IPPrefix { containerSubnets[0] }
    /// `containers` as written: one prefix, or a list of one IPv4 and one IPv6 (never empty).
    public var containerSubnets: [IPPrefix]
    /// `gateway`: the container bridge's own address, optional.
    public var gateway: IPAddress?
    /// `asn`: this host's BGP AS number, optional.
    public var asn: UInt32?
    /// `router_id`: BGP/OSPF router id, optional.
    public var routerID: IPv4Address?

    public init(
        name: String, address: IPAddress, mac: MACAddress? = nil, containers: IPPrefix,
        gateway: IPAddress? = nil, asn: UInt32? = nil, routerID: IPv4Address? = nil
    ) {
        self.init(name: name, addresses: [address], mac: mac, containerSubnets: [containers], gateway: gateway,
                  asn: asn, routerID: routerID)
    }

    /// A dual-stack host: `addresses` and `containerSubnets` must not be empty.
    public init(
        name: String, addresses: [IPAddress], mac: MACAddress? = nil, containerSubnets: [IPPrefix],
        gateway: IPAddress? = nil, asn: UInt32? = nil, routerID: IPv4Address? = nil
    ) {
        precondition(!addresses.isEmpty && !containerSubnets.isEmpty, "a host has an address and a container subnet")
        self.name = name; self.addresses = addresses; self.mac = mac; self.containerSubnets = containerSubnets
        self.gateway = gateway; self.asn = asn; self.routerID = routerID
    }

    /// The host's address of `address`'s family (IPv4 or IPv6), else its first one.
    public func address(sameFamilyAs other: IPAddress) -> IPAddress {
        addresses.first { $0.isV4 == other.isV4 } ?? address
    }
}

/// One entry of `routers`: a layer-3 device of the plan that is not a container host.
public struct Router: Sendable, Hashable {
    /// `name`: unique among hosts and routers.
    public var name: String
    /// `address`: the router's address on the underlay; with a list (dual stack), its first entry.
    public var address: IPAddress { addresses[0] }
    /// `address` as written: one address, or a list of one IPv4 and one IPv6 (never empty).
    public var addresses: [IPAddress]
    /// `mac`: optional.
    public var mac: MACAddress?

    public init(name: String, address: IPAddress, mac: MACAddress? = nil) {
        self.init(name: name, addresses: [address], mac: mac)
    }

    /// A dual-stack router: `addresses` must not be empty.
    public init(name: String, addresses: [IPAddress], mac: MACAddress? = nil) {
        precondition(!addresses.isEmpty, "a router has an address")
        self.name = name; self.addresses = addresses; self.mac = mac
    }
}

/// A host or a router: anything a route's `at` may name.
public enum PlanNode: Sendable, Hashable {
    case host(Host)
    case router(Router)

    /// The node's `name`.
    public var name: String {
        switch self { case .host(let h): h.name; case .router(let r): r.name }
    }
    /// The node's underlay `address` (the first one, when it has two).
    public var address: IPAddress {
        switch self { case .host(let h): h.address; case .router(let r): r.address }
    }
    /// Every underlay address of the node (one, or one per family).
    public var addresses: [IPAddress] {
        switch self { case .host(let h): h.addresses; case .router(let r): r.addresses }
    }
    /// The node's `mac`, when planned.
    public var mac: MACAddress? {
        switch self { case .host(let h): h.mac; case .router(let r): r.mac }
    }
}

/// `transport`: how container traffic crosses from host to host.
public struct Transport: Sendable, Hashable {
    /// `mode`.
    public var mode: TransportMode
    /// `mtu`: the containers' (inner) MTU, optional.
    public var mtu: Int?
    /// `vxlan`: needed (checked by `plan.valid`) when `mode` is `vxlan`.
    public var vxlan: TunnelSettings?
    /// `geneve`: needed (checked by `plan.valid`) when `mode` is `geneve`.
    public var geneve: TunnelSettings?
    /// `max_overhead_ratio`: `encap.overhead` fails above this share, optional.
    public var maxOverheadRatio: Double?
    /// `max_loss`: `path.delivery` fails above this share of lost packets, optional (0 when absent).
    public var maxLoss: Double?

    public init(
        mode: TransportMode, mtu: Int? = nil, vxlan: TunnelSettings? = nil,
        geneve: TunnelSettings? = nil, maxOverheadRatio: Double? = nil, maxLoss: Double? = nil
    ) {
        self.mode = mode; self.mtu = mtu; self.vxlan = vxlan; self.geneve = geneve
        self.maxOverheadRatio = maxOverheadRatio; self.maxLoss = maxLoss
    }

    /// The tunnel settings of the planned mode: `vxlan` for `.vxlan`, `geneve` for `.geneve`, else nil.
    public var tunnel: TunnelSettings? {
        switch mode {
        case .vxlan: vxlan
        case .geneve: geneve
        default: nil
        }
    }
}

/// `transport.mode`.
public enum TransportMode: String, Sendable, Hashable, CaseIterable {
    /// Container traffic is routed host to host, no tunnel.
    case routed
    /// Containers share the underlay's L2 segment: switched, not routed, no tunnel.
    case bridged
    /// VXLAN (UDP, default port 4789).
    case vxlan
    /// GENEVE (UDP, default port 6081).
    case geneve
    /// IP in IP (IP protocol 4 or 41).
    case ipip
}

/// `transport.vxlan` or `transport.geneve`.
public struct TunnelSettings: Sendable, Hashable {
    /// `vni`: 24-bit virtual network identifier.
    public var vni: UInt32
    /// `port`: UDP destination port (defaults 4789 for VXLAN, 6081 for GENEVE).
    public var port: UInt16

    public init(vni: UInt32, port: UInt16) { self.vni = vni; self.port = port }

    /// The IANA VXLAN port, `vxlan.port`'s default.
    public static let vxlanDefaultPort: UInt16 = 4789
    /// The IANA GENEVE port, `geneve.port`'s default.
    public static let geneveDefaultPort: UInt16 = 6081
}

/// `nat`.
public enum NATPolicy: String, Sendable, Hashable, CaseIterable {
    /// Container addresses cross hosts unchanged; DNAT only as published.
    case none
    /// Source NAT of containers to their host's address is intended; DNAT only as published.
    case masquerade
    /// NAT is not checked.
    case allowed
}

/// The transport protocol of a published port.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp
    case udp
}

/// An address and a port, such as `192.168.20.2:80` or `[fd00::2]:80`.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) { self.address = address; self.port = port }

    /// Parses `a.b.c.d:port` or `[v6]:port` (port 1…65535); nil when either part is malformed.
    public init?(_ text: some StringProtocol) {
        let s = Substring(text)
        let addressText: Substring, portText: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else { return nil }
            addressText = s[s.index(after: s.startIndex)..<close]
            portText = s[s.index(close, offsetBy: 2)...]
            guard case .v6? = IPAddress(addressText) else { return nil }
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            addressText = s[..<colon]
            portText = s[s.index(after: colon)...]
            guard case .v4? = IPAddress(addressText) else { return nil }
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let port = Int(portText), port >= 1, port <= 65535,
              let address = IPAddress(addressText) else { return nil }
        self.init(address: address, port: UInt16(port))
    }

    /// `192.168.20.2:80`, or `[fd00::2]:80` for IPv6.
    public var description: String {
        address.isV4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

/// One entry of `publish`: a port mapping that is intended (`docker run -p`).
public struct PublishedPort: Sendable, Hashable {
    /// `host`: the name of the host whose address is published.
    public var host: String
    /// `port`: the published port on the host's address.
    public var port: UInt16
    /// `protocol`.
    public var transportProtocol: TransportProtocol
    /// `to`: the container address and port the traffic is translated to.
    public var to: Endpoint

    public init(host: String, port: UInt16, transportProtocol: TransportProtocol, to: Endpoint) {
        self.host = host; self.port = port; self.transportProtocol = transportProtocol; self.to = to
    }
}

/// One entry of `routes`: at node `at`, traffic to `to` goes to the next hop `via`.
public struct Route: Sendable, Hashable {
    /// `at`: a host or router name.
    public var at: String
    /// `to`: the destination prefix.
    public var to: IPPrefix
    /// `via`: the next hop's address.
    public var via: IPAddress

    public init(at: String, to: IPPrefix, via: IPAddress) { self.at = at; self.to = to; self.via = via }
}

/// `routing`.
public struct Routing: Sendable, Hashable {
    /// `protocol`.
    public var routingProtocol: RoutingProtocol
    /// `bgp`: expectations, optional.
    public var bgp: BGPExpectations?
    /// `ospf`: expectations, optional.
    public var ospf: OSPFExpectations?

    public init(routingProtocol: RoutingProtocol, bgp: BGPExpectations? = nil, ospf: OSPFExpectations? = nil) {
        self.routingProtocol = routingProtocol; self.bgp = bgp; self.ospf = ospf
    }
}

/// `routing.protocol`.
public enum RoutingProtocol: String, Sendable, Hashable, CaseIterable {
    case `static`
    case bgp
    case ospf
}

/// `routing.bgp`: what the BGP sessions should show. ASNs are per host (`Host.asn`).
public struct BGPExpectations: Sendable, Hashable {
    /// `hold_time`: the hold time every OPEN should carry, in seconds (0 or 3…65535).
    public var holdTime: Int?

    public init(holdTime: Int? = nil) { self.holdTime = holdTime }
}

/// `routing.ospf`: what OSPF Hellos should show.
public struct OSPFExpectations: Sendable, Hashable {
    /// `area`: written dotted (`0.0.0.0`) or as an integer (`0`); kept as its 32-bit value.
    public var area: UInt32?
    /// `hello_interval`, seconds.
    public var helloInterval: Int?
    /// `dead_interval`, seconds.
    public var deadInterval: Int?

    public init(area: UInt32? = nil, helloInterval: Int? = nil, deadInterval: Int? = nil) {
        self.area = area; self.helloInterval = helloInterval; self.deadInterval = deadInterval
    }
}

/// Where a loaded plan came from: the file as given and the line of each key path
/// (`hosts[1].containers`; for a list or mapping, the line where it starts).
public struct PlanSource: Sendable, Hashable {
    /// The path as given to the loader (as on the command line).
    public var file: String
    /// 1-based line of each key path that was read.
    public var lines: [String: Int]

    public init(file: String = "plan.yaml", lines: [String: Int] = [:]) { self.file = file; self.lines = lines }

    /// The line of `keyPath`, or of its nearest recorded parent (`hosts[1].mac` falls back to `hosts[1]`).
    public func line(of keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = path[..<cut]
        }
        return nil
    }
}
