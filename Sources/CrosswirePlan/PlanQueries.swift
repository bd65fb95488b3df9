// The questions the checks ask the plan (docs/CHECKS.md, "Words"): who owns an
// address, which node has an address, where a node sends a destination, which
// translation a published port stands for. Where a contradictory plan gives two
// answers (two hosts with one address, overlapping subnets), these answer one
// way, stated on each; `plan.valid` reports the contradiction itself.

import CrosswireDecoder

extension Plan {
    /// Every host (in plan order), then every router (in plan order).
    public var nodes: [PlanNode] { hosts.map(PlanNode.host) + routers.map(PlanNode.router) }

    /// The first host called `name`.
    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }

    /// The first router called `name`.
    public func router(named name: String) -> Router? { routers.first { $0.name == name } }

    /// The host or router called `name` (hosts first), as a route's `at` names it.
    public func node(named name: String) -> PlanNode? {
        if let host = host(named: name) { return .host(host) }
        return router(named: name).map(PlanNode.router)
    }

    /// The host or router with `address` among its underlay addresses (hosts first).
    public func node(at address: IPAddress) -> PlanNode? {
        if let host = hosts.first(where: { $0.addresses.contains(address) }) { return .host(host) }
        return routers.first { $0.addresses.contains(address) }.map(PlanNode.router)
    }

    /// Every host's container subnets (with the host's index) in the order that decides
    /// ownership: longest prefix first, then plan order (hosts, then each host's subnets).
    /// The first that holds an address is its owner. `Topology` builds its per-packet
    /// table from this list, so the two cannot disagree.
    public var containerSubnetsInOwnershipOrder: [(subnet: IPPrefix, host: Int)] {
        hosts.indices.flatMap { h in hosts[h].containerSubnets.map { (subnet: $0, host: h) } }
            .enumerated().sorted { (-$0.element.subnet.length, $0.offset) < (-$1.element.subnet.length, $1.offset) }
            .map(\.element)
    }

    /// The host whose `containers` (any of its subnets) hold `address`: the address's *owner*.
    /// With overlapping subnets, the longest prefix wins (then the first host).
    public func owner(of address: IPAddress) -> Host? {
        containerSubnetsInOwnershipOrder.first { $0.subnet.contains(address) }.map { hosts[$0.host] }
    }

    /// True when `address` is a container address (inside some host's `containers`).
    public func isContainerAddress(_ address: IPAddress) -> Bool { owner(of: address) != nil }

    /// True when `address` lies in a planned service range (`services`).
    public func isServiceAddress(_ address: IPAddress) -> Bool { services.contains { $0.contains(address) } }

    /// The routes in force. When `routes` is absent: every host and router reaches
    /// every host's containers (each subnet) via that host's address of the subnet's
    /// family (a host does not route to its own containers). `routes: []` means no
    /// cross-host routes: empty.
    ///
    /// Routers get the default too, since docs/CHECKS.md takes the owning host's
    /// address as the planned next hop for any sender when `routes` is absent.
    public var effectiveRoutes: [Route] {
        if let routes { return routes }
        var result: [Route] = []
        for node in nodes {
            for owner in hosts where owner.name != node.name {
                for containers in owner.containerSubnets {
                    result.append(Route(at: node.name, to: containers, via: owner.address(sameFamilyAs: containers.network)))
                }
            }
        }
        return result
    }

    /// The address the node called `nodeName` plans to send `destination` to:
    /// the `via` of the longest matching `to` among its `effectiveRoutes` (the
    /// first such route on a tie). Nil when the node is unknown, when the
    /// destination is in the node's own containers (delivered locally, no next
    /// hop), or when no planned route matches.
    ///
    /// This answers for routed and tunnelled modes; in `bridged` mode container
    /// traffic is switched, and callers should not expect a routed next hop.
    public func plannedNextHop(from nodeName: String, to destination: IPAddress) -> IPAddress? {
        guard let node = node(named: nodeName) else { return nil }
        if case .host(let host) = node, host.containerSubnets.contains(where: { $0.contains(destination) }) { return nil }
        // Default routes, without building them: the longest-prefix owner, unless that is the node itself.
        if routes == nil {
            guard let owner = owner(of: destination), owner.name != nodeName else { return nil }
            return owner.address(sameFamilyAs: destination)
        }
        var best: Route?
        for route in effectiveRoutes where route.at == nodeName && route.to.contains(destination) {
            if best == nil || route.to.length > best!.to.length { best = route }
        }
        return best?.via
    }

    /// The `publish` entry that makes (`hostAddress`, `port`, `protocol`) an intended
    /// destination translation: its `to` is the container endpoint. Nil when none does.
    public func publishMapping(
        hostAddress: IPAddress, port: UInt16, protocol transportProtocol: TransportProtocol
    ) -> PublishedPort? {
        publish.first { entry in
            entry.port == port && entry.transportProtocol == transportProtocol
                && hosts.contains { $0.name == entry.host && $0.addresses.contains(hostAddress) }
        }
    }
}
