// `plan.valid` (contract §1 and §3, docs/CHECKS.md): a plan that contradicts
// itself is still a plan. The validator lists every contradiction, each with the
// key path and line it is about; the other checks still run on the plan.
//
// The rules, beyond those the contract names:
// - Names are one namespace for hosts and routers (a route's `at` may name either).
// - A route's `via` must be reachable from `at`: a planned host or router
//   address, or an address inside `underlay.subnet` (the hosts' own segment,
//   so on-link). With no `underlay.subnet`, only planned addresses are known to
//   be reachable. A route via `at`'s own address, or at a host to (part of) its
//   own containers, contradicts itself.
// - Two routes at one node to one prefix with different `via`s contradict.
// - `publish` names a host (not a router); its `to` lies in that host's
//   containers; one (host, port, protocol) is published once.
// - A host's `gateway` lies in its own containers; a host's address lies in
//   `underlay.subnet` when that is given; router ids are unique.
// - Container subnets stay apart from `underlay.subnet`, except in `bridged`
//   mode, where containers share the underlay segment and so lie inside it.
// - `vxlan`/`geneve` mode needs its settings (the VNI cannot be guessed);
//   settings for a mode not in use are allowed (the contract's own example has them).
// - With `routing.protocol: bgp` every host has an `asn`.
// - `routing.ospf.dead_interval` is longer than its `hello_interval`.

import CrosswireDecoder

/// One contradiction in a plan: what it is about, where, and why.
public struct PlanProblem: Sendable, Hashable, CustomStringConvertible {
    /// The key path the problem is about (`hosts[1].containers`).
    public var keyPath: String
    /// The 1-based line of that key in the plan file, when known.
    public var line: Int?
    /// What contradicts what, without the location; one line.
    public var message: String

    public init(keyPath: String, line: Int?, message: String) {
        self.keyPath = keyPath; self.line = line; self.message = message
    }

    /// `hosts[1].containers: message` — one line.
    public var description: String { oneLine(keyPath.isEmpty ? message : "\(keyPath): \(message)") }

    /// `plan.yaml:12: hosts[1].containers: message` — one line, as `PlanError` prints.
    public func located(in file: String) -> String {
        line.map { "\(file):\($0): \(description)" } ?? "\(file): \(description)"
    }
}

/// The consistency rules of `plan.valid`.
public enum PlanValidator {
    /// Every contradiction in `plan`, ordered by line (problems without a line last).
    public static func problems(in plan: Plan) -> [PlanProblem] {
        var collector = ProblemCollector(plan: plan)
        collector.checkNodes()
        collector.checkContainerSubnets()
        collector.checkRoutes()
        collector.checkPublish()
        collector.checkTransport()
        collector.checkRouting()
        return collector.problems.enumerated()
            .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
            .map(\.element)
    }
}

extension Plan {
    /// `PlanValidator.problems(in: self)`.
    public var problems: [PlanProblem] { PlanValidator.problems(in: self) }

    /// The output of `crosswire lint`: one line per problem (`plan.yaml:12: key: message`),
    /// or a single `OK: plan NAME is consistent (N hosts, M routers)` when there is none.
    public func lintLines() -> [String] {
        let problems = self.problems
        guard problems.isEmpty else { return problems.map { $0.located(in: source.file) } }
        return ["OK: plan \(name) is consistent (\(counted(hosts.count, "host")), \(counted(routers.count, "router")))"]
    }
}

/// `1 host`, `2 hosts`.
func counted(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

/// Prefixes as a plan's problems name them: `a` or `a and b`.
func listed(_ prefixes: [IPPrefix]) -> String { prefixes.map { "\($0)" }.joined(separator: " and ") }

/// "IPv4" or "IPv6".
func family(_ address: IPAddress) -> String { address.isV4 ? "IPv4" : "IPv6" }

/// Walks the plan once per rule family, collecting problems.
private struct ProblemCollector {
    let plan: Plan
    var problems: [PlanProblem] = []

    init(plan: Plan) { self.plan = plan }

    mutating func report(_ keyPath: String, _ message: String) {
        problems.append(PlanProblem(keyPath: keyPath, line: plan.source.line(of: keyPath), message: message))
    }

    /// Key path prefix and label of each host and router, in order.
    var labelledNodes: [(path: String, node: PlanNode)] {
        plan.hosts.enumerated().map { ("hosts[\($0)]", PlanNode.host($1)) }
            + plan.routers.enumerated().map { ("routers[\($0)]", PlanNode.router($1)) }
    }

    /// `host host1` or `router core`.
    func label(_ node: PlanNode) -> String {
        switch node { case .host(let h): "host \(h.name)"; case .router(let r): "router \(r.name)" }
    }

    // MARK: Hosts and routers

    mutating func checkNodes() {
        var names: [String: PlanNode] = [:], addresses: [IPAddress: PlanNode] = [:]
        var routerIDs: [IPv4Address: Host] = [:]
        for (path, node) in labelledNodes {
            if node.name.isEmpty { report("\(path).name", "the name is empty") }
            if let first = names[node.name] {
                report("\(path).name", "the name \(quoted(node.name)) is already used by \(label(first))")
            } else {
                names[node.name] = node
            }
            for address in node.addresses {
                if let first = addresses[address] {
                    report("\(path).address", "\(address) is already the address of \(label(first))")
                } else {
                    addresses[address] = node
                }
            }
            guard case .host(let host) = node else { continue }
            // underlay.subnet is one family: a dual-stack host's other address is not judged by it.
            if let subnet = plan.underlay.subnet {
                for address in host.addresses where address.isV4 == subnet.network.isV4 && !subnet.contains(address) {
                    report("\(path).address", "\(address) is outside underlay.subnet \(subnet), the hosts' own segment")
                }
            }
            if let gateway = host.gateway, !host.containerSubnets.contains(where: { $0.contains(gateway) }) {
                report("\(path).gateway", "\(gateway) is outside the host's own containers \(listed(host.containerSubnets))")
            }
            if let id = host.routerID {
                if let first = routerIDs[id] {
                    report("\(path).router_id", "\(id) is already the router id of host \(first.name)")
                } else {
                    routerIDs[id] = host
                }
            }
        }
    }

    // MARK: Container subnets

    mutating func checkContainerSubnets() {
        let hosts = plan.hosts
        for (i, host) in hosts.enumerated() {
            let path = "hosts[\(i)].containers"
            for containers in host.containerSubnets {
                for other in hosts[..<i] {
                    for theirs in other.containerSubnets where containers.overlaps(theirs) {
                        report(path, "\(containers) overlaps the containers of host \(other.name), \(theirs)")
                    }
                }
                for node in plan.nodes {
                    for address in node.addresses where containers.contains(address) {
                        report(path, "\(containers) contains the address of \(label(node)), \(address)")
                    }
                }
                guard let subnet = plan.underlay.subnet, subnet.network.isV4 == containers.network.isV4 else { continue }
                if plan.transport.mode == .bridged {
                    if !(subnet.length <= containers.length && subnet.contains(containers.network)) {
                        report(path, "\(containers) is not inside underlay.subnet \(subnet): in bridged mode containers share the underlay segment")
                    }
                } else if containers.overlaps(subnet) {
                    report(path, "\(containers) overlaps underlay.subnet \(subnet): in \(plan.transport.mode.rawValue) mode container subnets are apart from the underlay")
                }
            }
        }
        for service in plan.services {
            for host in hosts {
                for containers in host.containerSubnets where service.overlaps(containers) {
                    report("services", "\(service) overlaps the containers of host \(host.name), \(containers): a service address would also be a container's")
                }
            }
        }
    }

    // MARK: Routes

    mutating func checkRoutes() {
        guard let routes = plan.routes else { return }
        let planned = Set(plan.nodes.flatMap(\.addresses))
        var seen: [String: (index: Int, via: IPAddress)] = [:]
        for (i, route) in routes.enumerated() {
            let path = "routes[\(i)]"
            let at = plan.node(named: route.at)
            if at == nil {
                report("\(path).at", "\(quoted(route.at)) is not a planned host or router")
            }
            if route.via.isV4 != route.to.network.isV4 {
                report("\(path).via", "\(route.via) is \(family(route.via)) but \(route.to) is \(family(route.to.network)): a next hop has its destination's family")
            } else if let at, at.addresses.contains(route.via) {
                report("\(path).via", "\(route.via) is the address of \(label(at)) itself")
            } else if !planned.contains(route.via) {
                if let subnet = plan.underlay.subnet, subnet.network.isV4 == route.via.isV4 {
                    if !subnet.contains(route.via) {
                        report("\(path).via", "\(route.via) is neither a planned host or router address nor inside underlay.subnet \(subnet): the next hop is unreachable")
                    }
                } else {
                    report("\(path).via", "\(route.via) is not a planned host or router address, and no underlay.subnet says it is on-link: the next hop is unreachable")
                }
            }
            if case .host(let host)? = at,
               let own = host.containerSubnets.first(where: { $0.length <= route.to.length && $0.contains(route.to.network) }) {
                report("\(path).to", "\(route.to) is inside the own containers of host \(host.name), \(own)")
            }
            let key = "\(route.at) \(route.to)"
            if let first = seen[key] {
                if first.via != route.via {
                    report(path, "a second route at \(route.at) to \(route.to), via \(route.via) where routes[\(first.index)] goes via \(first.via)")
                }
            } else {
                seen[key] = (i, route.via)
            }
        }
    }

    // MARK: Published ports

    mutating func checkPublish() {
        var seen: [String: Int] = [:]
        for (i, entry) in plan.publish.enumerated() {
            let path = "publish[\(i)]"
            if let host = plan.host(named: entry.host) {
                if !host.containerSubnets.contains(where: { $0.contains(entry.to.address) }) {
                    report("\(path).to", "\(entry.to.address) is outside the containers of host \(host.name), \(listed(host.containerSubnets))")
                }
            } else if plan.router(named: entry.host) != nil {
                report("\(path).host", "\(quoted(entry.host)) is a router: only hosts publish container ports")
            } else {
                report("\(path).host", "\(quoted(entry.host)) is not a planned host")
            }
            let key = "\(entry.host) \(entry.port) \(entry.transportProtocol.rawValue)"
            if let first = seen[key] {
                report(path, "port \(entry.port)/\(entry.transportProtocol.rawValue) of \(entry.host) is already published by publish[\(first)]")
            } else {
                seen[key] = i
            }
        }
    }

    // MARK: Transport

    mutating func checkTransport() {
        let transport = plan.transport
        switch transport.mode {
        case .vxlan where transport.vxlan == nil:
            report("transport.mode", "mode is vxlan but transport.vxlan (vni, port) is not given")
        case .geneve where transport.geneve == nil:
            report("transport.mode", "mode is geneve but transport.geneve (vni, port) is not given")
        default:
            break
        }
    }

    // MARK: Routing

    mutating func checkRouting() {
        if plan.routing.routingProtocol == .bgp {
            for (i, host) in plan.hosts.enumerated() where host.asn == nil {
                report("hosts[\(i)]", "routing.protocol is bgp but host \(host.name) has no asn")
            }
        }
        if let ospf = plan.routing.ospf, let hello = ospf.helloInterval, let dead = ospf.deadInterval, dead <= hello {
            report("routing.ospf.dead_interval", "\(dead) is not longer than hello_interval \(hello)")
        }
    }
}
