// The keys of every mapping of the plan format, in one place: the loader
// refuses any other key with them, and the tests hold the JSON Schema
// (PlanSchema.swift) and docs/PLAN.md to the same lists.

/// The keys each mapping of a plan file may have.
public enum PlanKeys {
    /// The document itself.
    public static let top = [
        "version", "name", "description", "underlay", "hosts", "routers", "transport", "nat",
        "services", "publish", "routes", "routing",
    ]
    /// `underlay`.
    public static let underlay = ["mtu", "subnet"]
    /// One entry of `hosts`.
    public static let host = ["name", "address", "mac", "containers", "gateway", "asn", "router_id"]
    /// One entry of `routers`.
    public static let router = ["name", "address", "mac"]
    /// `transport`.
    public static let transport = ["mode", "mtu", "vxlan", "geneve", "max_overhead_ratio", "max_loss"]
    /// `transport.vxlan` and `transport.geneve`.
    public static let tunnel = ["vni", "port"]
    /// One entry of `publish`.
    public static let publish = ["host", "port", "protocol", "to"]
    /// One entry of `routes`.
    public static let route = ["at", "to", "via"]
    /// `routing`.
    public static let routing = ["protocol", "bgp", "ospf"]
    /// `routing.bgp`.
    public static let bgp = ["hold_time"]
    /// `routing.ospf`.
    public static let ospf = ["area", "hello_interval", "dead_interval"]

    /// Every mapping by its path (`[]` marks a list's entries; `""` is the document), with its keys.
    public static let mappings: [(path: String, keys: [String])] = [
        ("", top),
        ("underlay", underlay),
        ("hosts[]", host),
        ("routers[]", router),
        ("transport", transport),
        ("transport.vxlan", tunnel),
        ("transport.geneve", tunnel),
        ("publish[]", publish),
        ("routes[]", route),
        ("routing", routing),
        ("routing.bgp", bgp),
        ("routing.ospf", ospf),
    ]

    /// Every key path a plan may hold (`hosts[].mac`), in document order.
    public static var keyPaths: [String] {
        mappings.flatMap { mapping in mapping.keys.map { mapping.path.isEmpty ? $0 : "\(mapping.path).\($0)" } }
    }
}
