// Reading a plan file (contract §1) into a `Plan`: YAML text → a shape check on
// libyaml's events (size, aliases, depth, one document) → `Yams.compose` → typed
// values, key by key. The first mistake stops the reading with a `PlanError`
// naming the file, line and key path. Contradictions between well-formed values
// (overlapping subnets, unknown route targets) are not errors here: such a plan
// is still a plan, and `PlanValidator` lists them for `plan.valid`.

import CrosswireDecoder
import Foundation
import Yams

/// Reads plan files. Refuses hostile input (too large, alias bombs, deep nesting)
/// with an error rather than a hang.
public struct PlanLoader: Sendable {
    /// Bounds on what a plan file may cost to read.
    public struct Limits: Sendable, Hashable {
        /// Largest input accepted, in bytes.
        public var maxBytes: Int
        /// Most YAML nodes accepted, counting each alias as the nodes it repeats.
        public var maxNodes: Int
        /// Deepest nesting of lists and mappings accepted.
        public var maxDepth: Int

        public init(maxBytes: Int = 1 << 20, maxNodes: Int = 100_000, maxDepth: Int = 64) {
            self.maxBytes = maxBytes; self.maxNodes = maxNodes; self.maxDepth = maxDepth
        }

        /// 1 MiB, 100 000 nodes, 64 levels: far above any real plan.
        public static let `default` = Limits()
    }

    /// The bounds in force.
    public var limits: Limits

    public init(limits: Limits = .default) { self.limits = limits }

    /// Reads and parses the plan file at `path` (the path is kept as given, for messages).
    public func load(contentsOf path: String) throws(PlanError) -> Plan {
        let bytes: [UInt8]
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw PlanError(file: path, line: nil, keyPath: "", message: "cannot open the file", kind: .unreadable)
            }
            defer { try? handle.close() }
            // Read one byte past the limit: enough to know it is too large, never more.
            bytes = [UInt8](try handle.read(upToCount: limits.maxBytes + 1) ?? Data())
        } catch let error as PlanError {
            throw error
        } catch {
            throw PlanError(file: path, line: nil, keyPath: "", message: "cannot read the file: \(error.localizedDescription)",
                            kind: .unreadable)
        }
        return try load(bytes: bytes, path: path)
    }

    /// Parses plan text; `path` names it in messages.
    public func load(yaml: String, path: String = "plan.yaml") throws(PlanError) -> Plan {
        try load(bytes: Array(yaml.utf8), path: path)
    }

    /// Parses plan bytes (UTF-8); `path` names them in messages.
    public func load(bytes: [UInt8], path: String = "plan.yaml") throws(PlanError) -> Plan {
        func refuse(_ message: String, _ kind: PlanError.Kind, line: Int? = nil) -> PlanError {
            PlanError(file: path, line: line, keyPath: "", message: message, kind: kind)
        }
        guard bytes.count <= limits.maxBytes else {
            throw refuse("the file is larger than \(limits.maxBytes) bytes: not a plan", .tooLarge)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw refuse("the file is not UTF-8 text", .notText)
        }
        guard !text.allSatisfy({ $0.isWhitespace }) else { throw refuse("the file is empty", .notAPlan) }

        do {
            try YAMLShapeCheck(maxNodes: limits.maxNodes, maxDepth: limits.maxDepth).check(bytes)
        } catch {
            throw refuse(error.message, error.kind, line: error.line)
        }

        let root: Node?
        do {
            // No tag resolution: the reader judges a scalar by its text and style alone, and the
            // default resolver compiles seven regular expressions (a third of a small run's start).
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw Self.planError(fromYams: error, path: path)
        }
        guard let root else { throw refuse("the file holds no YAML document (only comments?)", .notAPlan) }
        guard case .mapping = root else {
            let found = PlanValue(node: root, path: "", keyLine: nil, log: PlanReadLog(file: path)).found
            throw refuse("a plan is a mapping of keys (version, name, hosts, …), found \(found)", .notAPlan,
                         line: root.mark?.line)
        }
        let log = PlanReadLog(file: path)
        var plan = try PlanReader.plan(PlanValue(node: root, path: "", keyLine: nil, log: log))
        plan.source = PlanSource(file: path, lines: log.lines)
        return plan
    }

    /// A Yams error as a one-line `PlanError` (the shape check catches most syntax errors first).
    static func planError(fromYams error: any Error, path: String) -> PlanError {
        var line: Int?, message = "not valid YAML"
        if let error = error as? YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                 .composer(_, let problem, let mark, _):
                line = mark.line; message += ": \(problem)"
            case .duplicatedKeysInMapping(let duplicates, let context):
                line = context.mark.line
                message = "key \(duplicates.map(quoted).joined(separator: ", ")) appears twice in one mapping"
            default:
                message += ": \(error)"
            }
        }
        return PlanError(file: path, line: line, keyPath: "", message: oneLine(message), kind: .syntax)
    }
}

/// The plan format, key by key: which keys each mapping has and how each value reads.
enum PlanReader {
    static func plan(_ document: PlanValue) throws(PlanError) -> Plan {
        let top = try document.mapping()
        // The version first: another version's keys would otherwise be reported as unknown.
        let version = try top.required("version").integer(in: 0...Int(Int32.max))
        guard version == 1 else {
            throw top.optional("version")!.failure("unsupported plan version \(version) (this Crosswire reads version 1)",
                                                  .badValue)
        }
        try top.rejectUnknownKeys(allowed: PlanKeys.top)
        let name = try top.required("name").text()
        let description = try top.optional("description")?.text()
        let underlay = try top.optional("underlay").map { (v) throws(PlanError) in try self.underlay(v) } ?? Underlay()
        let hostValues = try top.required("hosts").list()
        guard !hostValues.isEmpty else {
            throw top.optional("hosts")!.failure("a plan needs at least one host", .badValue)
        }
        var hosts: [Host] = []
        for value in hostValues { hosts.append(try host(value)) }
        var routers: [Router] = []
        for value in try top.optional("routers")?.list() ?? [] { routers.append(try router(value)) }
        let transport = try self.transport(try top.required("transport"))
        let nat = try top.required("nat").choice(NATPolicy.self)
        var services: [IPPrefix] = []
        for value in try top.optional("services")?.list() ?? [] { services.append(try value.prefix()) }
        var publish: [PublishedPort] = []
        for value in try top.optional("publish")?.list() ?? [] { publish.append(try published(value)) }
        var routes: [Route]?
        if let value = top.optional("routes") {
            routes = []
            for item in try value.list() { routes!.append(try route(item)) }
        }
        let routing = try self.routing(try top.required("routing"))
        return Plan(
            version: version, name: name, description: description, underlay: underlay, hosts: hosts,
            routers: routers, transport: transport, nat: nat, services: services, publish: publish, routes: routes, routing: routing)
    }

    static func underlay(_ value: PlanValue) throws(PlanError) -> Underlay {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.underlay)
        return Underlay(
            mtu: try map.optional("mtu")?.integer(in: 68...65535) ?? 1500,
            subnet: try map.optional("subnet")?.prefix())
    }

    static func host(_ value: PlanValue) throws(PlanError) -> Host {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.host)
        return Host(
            name: try map.required("name").text(),
            addresses: try map.required("address").addresses(),
            mac: try map.optional("mac")?.mac(),
            containerSubnets: try map.required("containers").prefixes(),
            gateway: try map.optional("gateway")?.address(),
            asn: try map.optional("asn").map { (v) throws(PlanError) in UInt32(try v.integer(in: 1...Int(UInt32.max))) },
            routerID: try map.optional("router_id")?.ipv4())
    }

    static func router(_ value: PlanValue) throws(PlanError) -> Router {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.router)
        return Router(
            name: try map.required("name").text(),
            addresses: try map.required("address").addresses(),
            mac: try map.optional("mac")?.mac())
    }

    static func transport(_ value: PlanValue) throws(PlanError) -> Transport {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.transport)
        return Transport(
            mode: try map.required("mode").choice(TransportMode.self),
            mtu: try map.optional("mtu")?.integer(in: 68...65535),
            vxlan: try map.optional("vxlan").map { (v) throws(PlanError) in
                try tunnel(v, defaultPort: TunnelSettings.vxlanDefaultPort)
            },
            geneve: try map.optional("geneve").map { (v) throws(PlanError) in
                try tunnel(v, defaultPort: TunnelSettings.geneveDefaultPort)
            },
            maxOverheadRatio: try map.optional("max_overhead_ratio")?.number(in: 0...1),
            maxLoss: try map.optional("max_loss")?.number(in: 0...1))
    }

    static func tunnel(_ value: PlanValue, defaultPort: UInt16) throws(PlanError) -> TunnelSettings {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.tunnel)
        return TunnelSettings(
            vni: UInt32(try map.required("vni").integer(in: 0...0xFF_FFFF)),
            port: try map.optional("port").map { (v) throws(PlanError) in UInt16(try v.integer(in: 1...65535)) }
                ?? defaultPort)
    }

    static func published(_ value: PlanValue) throws(PlanError) -> PublishedPort {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.publish)
        let host = try map.required("host").text()
        let port = UInt16(try map.required("port").integer(in: 1...65535))
        let proto = try map.required("protocol").choice(TransportProtocol.self)
        let toValue = try map.required("to")
        let toText = try toValue.text()
        guard let to = Endpoint(toText) else {
            throw toValue.failure("\(quoted(toText)) is not an address:port (192.168.20.2:80, [fd00::2]:80)", .badValue)
        }
        return PublishedPort(host: host, port: port, transportProtocol: proto, to: to)
    }

    static func route(_ value: PlanValue) throws(PlanError) -> Route {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.route)
        return Route(
            at: try map.required("at").text(),
            to: try map.required("to").prefix(),
            via: try map.required("via").address())
    }

    static func routing(_ value: PlanValue) throws(PlanError) -> Routing {
        let map = try value.mapping()
        try map.rejectUnknownKeys(allowed: PlanKeys.routing)
        let proto = try map.required("protocol").choice(RoutingProtocol.self)
        var bgp: BGPExpectations?
        if let value = map.optional("bgp") {
            let bgpMap = try value.mapping()
            try bgpMap.rejectUnknownKeys(allowed: PlanKeys.bgp)
            let hold = try bgpMap.optional("hold_time")?.integer(in: 0...65535)
            if let hold, hold == 1 || hold == 2 {
                throw bgpMap.optional("hold_time")!.failure("a BGP hold time is 0 or at least 3 seconds (RFC 4271)", .badValue)
            }
            bgp = BGPExpectations(holdTime: hold)
        }
        var ospf: OSPFExpectations?
        if let value = map.optional("ospf") {
            let ospfMap = try value.mapping()
            try ospfMap.rejectUnknownKeys(allowed: PlanKeys.ospf)
            ospf = OSPFExpectations(
                area: try ospfMap.optional("area").map { (v) throws(PlanError) in try area(v) },
                helloInterval: try ospfMap.optional("hello_interval")?.integer(in: 1...65535),
                deadInterval: try ospfMap.optional("dead_interval")?.integer(in: 1...Int(UInt32.max)))
        }
        return Routing(routingProtocol: proto, bgp: bgp, ospf: ospf)
    }

    /// An OSPF area: dotted (`0.0.0.1`) or a plain integer (`1`).
    static func area(_ value: PlanValue) throws(PlanError) -> UInt32 {
        let text = try value.text()
        if let dotted = IPv4Address(text) { return dotted.rawValue }
        if text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return UInt32(try value.integer(in: 0...Int(UInt32.max)))
        }
        throw value.failure("\(quoted(text)) is not an OSPF area (0.0.0.0 or an integer)", .badValue)
    }
}
