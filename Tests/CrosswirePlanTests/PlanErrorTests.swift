// Plans that cannot be read: every kind of mistake, with its exact line, key
// path and message, and the one-line description the CLI prints (exit 2).

import CrosswirePlan
import Foundation
import Testing

/// A valid plan whose lines the tests below replace one at a time.
let numberedPlan: [String] = [
    "version: 1",                           // 1
    "name: example",                        // 2
    "underlay:",                            // 3
    "  subnet: 192.168.56.0/24",            // 4
    "hosts:",                               // 5
    "  - name: host1",                      // 6
    "    address: 192.168.56.119",          // 7
    "    mac: \"02:42:c0:a8:38:77\"",       // 8
    "    containers: 192.168.10.0/24",      // 9
    "  - name: host2",                      // 10
    "    address: 192.168.56.120",          // 11
    "    containers: 192.168.20.0/24",      // 12
    "transport: { mode: routed }",          // 13
    "nat: none",                            // 14
    "routing: { protocol: static }",        // 15
]

/// `numberedPlan` with 1-based line `line` replaced by `text` (which may hold several lines).
func planWith(_ replacements: [Int: String]) -> String {
    numberedPlan.enumerated().map { replacements[$0.offset + 1] ?? $0.element }.joined(separator: "\n") + "\n"
}

/// Expects `yaml` to fail with exactly this error.
func expectError(
    _ yaml: String, line: Int?, keyPath: String, message: String, kind: PlanError.Kind,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = loadError(yaml) else {
        Issue.record("the plan loaded", sourceLocation: sourceLocation)
        return
    }
    #expect(error.line == line, sourceLocation: sourceLocation)
    #expect(error.keyPath == keyPath, sourceLocation: sourceLocation)
    #expect(error.message == message, sourceLocation: sourceLocation)
    #expect(error.kind == kind, sourceLocation: sourceLocation)
    #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
}

@Test func numberedPlanIsValid() throws {
    #expect(try loadPlan(planWith([:])).problems == [])
}

@Test func badPrefixPrintsTheContractsOneLine() {
    let error = loadError(planWith([12: "    containers: 192.168.20.0/33"]))
    #expect(error?.description == #"plan.yaml:12: hosts[1].containers: "192.168.20.0/33" is not an address prefix"#)
    #expect(error?.kind == .badValue)
}

@Test func badValues() {
    expectError(planWith([12: "    containers: 192.168.20.0"]), line: 12, keyPath: "hosts[1].containers",
                message: #""192.168.20.0" is not an address prefix"#, kind: .badValue)
    expectError(planWith([11: "    address: 192.168.56.300"]), line: 11, keyPath: "hosts[1].address",
                message: #""192.168.56.300" is not an IP address"#, kind: .badValue)
    expectError(planWith([8: "    mac: \"02:42:c0:a8:38\""]), line: 8, keyPath: "hosts[0].mac",
                message: #""02:42:c0:a8:38" is not a MAC address"#, kind: .badValue)
    expectError(planWith([4: "  subnet: 192.168.56.0/24x"]), line: 4, keyPath: "underlay.subnet",
                message: #""192.168.56.0/24x" is not an address prefix"#, kind: .badValue)
    expectError(planWith([13: "transport: { mode: vxlam }"]), line: 13, keyPath: "transport.mode",
                message: #""vxlam" is not one of routed, bridged, vxlan, geneve, ipip"#, kind: .badValue)
    expectError(planWith([14: "nat: None"]), line: 14, keyPath: "nat",
                message: #""None" is not one of none, masquerade, allowed"#, kind: .badValue)
    expectError(planWith([15: "routing: { protocol: rip }"]), line: 15, keyPath: "routing.protocol",
                message: #""rip" is not one of static, bgp, ospf"#, kind: .badValue)
    expectError(planWith([13: "transport: { mode: vxlan, vxlan: { vni: 16777216 } }"]), line: 13,
                keyPath: "transport.vxlan.vni", message: "16777216 is out of range 0…16777215", kind: .badValue)
    expectError(planWith([12: "    containers: 192.168.20.0/24\n    asn: 0"]), line: 13, keyPath: "hosts[1].asn",
                message: "0 is out of range 1…4294967295", kind: .badValue)
    expectError(planWith([12: "    containers: 192.168.20.0/24\n    router_id: fd00::1"]), line: 13,
                keyPath: "hosts[1].router_id", message: #""fd00::1" is not an IPv4 address"#, kind: .badValue)
    expectError(planWith([15: "routing: { protocol: bgp, bgp: { hold_time: 2 } }"]), line: 15,
                keyPath: "routing.bgp.hold_time", message: "a BGP hold time is 0 or at least 3 seconds (RFC 4271)",
                kind: .badValue)
    expectError(planWith([15: "routing: { protocol: ospf, ospf: { area: backbone } }"]), line: 15,
                keyPath: "routing.ospf.area", message: #""backbone" is not an OSPF area (0.0.0.0 or an integer)"#,
                kind: .badValue)
    expectError(planWith([1: "version: 2"]), line: 1, keyPath: "version",
                message: "unsupported plan version 2 (this Crosswire reads version 1)", kind: .badValue)
    expectError(planWith([5: "hosts: []", 6: "", 7: "", 8: "", 9: "", 10: "", 11: "", 12: ""]), line: 5, keyPath: "hosts",
                message: "a plan needs at least one host", kind: .badValue)
    expectError(planWith([15: "routing: { protocol: static }\npublish:\n  - { host: host2, port: 80, protocol: tcp, to: 192.168.20.2 }"]),
                line: 17, keyPath: "publish[0].to",
                message: #""192.168.20.2" is not an address:port (192.168.20.2:80, [fd00::2]:80)"#, kind: .badValue)
    expectError(planWith([15: "routing: { protocol: static }\npublish:\n  - { host: host2, port: 80, protocol: sctp, to: 192.168.20.2:80 }"]),
                line: 17, keyPath: "publish[0].protocol", message: #""sctp" is not one of tcp, udp"#, kind: .badValue)
    expectError(planWith([13: "transport: { mode: routed, max_overhead_ratio: 1.5 }"]), line: 13,
                keyPath: "transport.max_overhead_ratio", message: "1.5 is out of range 0.0…1.0", kind: .badValue)
}

@Test func unknownKeys() {
    expectError(planWith([12: "    contaners: 192.168.20.0/24"]), line: 12, keyPath: "hosts[1].contaners",
                message: "unknown key (did you mean containers?)", kind: .unknownKey)
    expectError(planWith([14: "nat: none\nfirewall: on"]), line: 15, keyPath: "firewall",
                message: "unknown key (expected one of: version, name, description, underlay, hosts, routers, transport, nat, services, publish, routes, routing)",
                kind: .unknownKey)
    expectError(planWith([13: "transport: { mode: vxlan, vxlan: { vni: 1, prot: 8472 } }"]), line: 13,
                keyPath: "transport.vxlan.prot", message: "unknown key (did you mean port?)", kind: .unknownKey)
    expectError(planWith([15: "routing: { protocol: static }\nroutes:\n  - { at: host1, to: 192.168.20.0/24, gw: 192.168.56.120 }"]),
                line: 17, keyPath: "routes[0].gw", message: "unknown key (expected one of: at, to, via)", kind: .unknownKey)
}

@Test func missingKeys() {
    // A missing key is reported where its mapping starts: the list item's first line.
    expectError(planWith([12: ""]), line: 10, keyPath: "hosts[1].containers", message: "missing (required)", kind: .missingKey)
    expectError(planWith([2: ""]), line: 1, keyPath: "name", message: "missing (required)", kind: .missingKey)
    expectError(planWith([1: ""]), line: 2, keyPath: "version", message: "missing (required)", kind: .missingKey)
    expectError(planWith([13: "transport: { mtu: 1400 }"]), line: 13, keyPath: "transport.mode",
                message: "missing (required)", kind: .missingKey)
    expectError(planWith([13: "transport: { mode: vxlan, vxlan: { port: 8472 } }"]), line: 13,
                keyPath: "transport.vxlan.vni", message: "missing (required)", kind: .missingKey)
    expectError(planWith([14: ""]), line: 1, keyPath: "nat", message: "missing (required)", kind: .missingKey)
    expectError(planWith([15: "routing: { protocol: static }\nroutes:\n  - { at: host1, to: 192.168.20.0/24 }"]),
                line: 17, keyPath: "routes[0].via", message: "missing (required)", kind: .missingKey)
}

@Test func wrongTypes() {
    expectError(planWith([1: "version: \"1\""]), line: 1, keyPath: "version",
                message: #"expected a whole number, found the quoted text "1""#, kind: .wrongType)
    expectError(planWith([1: "version: 1.0"]), line: 1, keyPath: "version",
                message: #"expected a whole number, found "1.0""#, kind: .wrongType)
    expectError(planWith([1: "version: one"]), line: 1, keyPath: "version",
                message: #"expected a whole number, found "one""#, kind: .wrongType)
    expectError(planWith([5: "hosts:", 6: "  host1:", 7: "    address: 192.168.56.119", 8: "", 9: "",
                          10: "", 11: "", 12: ""]),
                line: 5, keyPath: "hosts", message: "expected a list, found a mapping", kind: .wrongType)
    expectError(planWith([3: "underlay: [1500]", 4: ""]), line: 3, keyPath: "underlay",
                message: "expected a mapping, found a list", kind: .wrongType)
    expectError(planWith([8: "    mac:"]), line: 8, keyPath: "hosts[0].mac", message: "expected text, found no value",
                kind: .wrongType)
    expectError(planWith([9: "    containers: { v4: 192.168.10.0/24 }"]), line: 9, keyPath: "hosts[0].containers",
                message: "expected text, found a mapping", kind: .wrongType)
    // Dual stack: one entry per family, one or two entries.
    expectError(planWith([9: "    containers: [192.168.10.0/24, 192.168.11.0/24]"]), line: 9, keyPath: "hosts[0].containers[1]",
                message: "two IPv4 entries: a list holds one IPv4 and one IPv6 prefix", kind: .badValue)
    expectError(planWith([9: "    containers: []"]), line: 9, keyPath: "hosts[0].containers",
                message: "expected one prefix, or a list of one IPv4 and one IPv6 prefix, found 0 entries", kind: .badValue)
    expectError(planWith([15: "routing: { protocol: static }\nroutes:"]), line: 16, keyPath: "routes",
                message: "expected a list, found no value", kind: .wrongType)
    expectError(planWith([3: "underlay:", 4: "  mtu: '1500'"]), line: 4, keyPath: "underlay.mtu",
                message: #"expected a whole number, found the quoted text "1500""#, kind: .wrongType)
    expectError(planWith([6: "  - ? [a, b]", 7: "    : x", 8: "", 9: "", 10: "  - name: host2"]), line: 6, keyPath: "hosts[0]",
                message: "a key must be a name, found a list", kind: .wrongType)
}

@Test func documentsThatAreNotAPlan() {
    expectError("", line: nil, keyPath: "", message: "the file is empty", kind: .notAPlan)
    expectError("\n  \n", line: nil, keyPath: "", message: "the file is empty", kind: .notAPlan)
    expectError("# only a comment\n", line: nil, keyPath: "",
                message: "the file holds no YAML document (only comments?)", kind: .notAPlan)
    expectError("- version: 1\n", line: 1, keyPath: "",
                message: "a plan is a mapping of keys (version, name, hosts, …), found a list", kind: .notAPlan)
    expectError("just text\n", line: 1, keyPath: "",
                message: #"a plan is a mapping of keys (version, name, hosts, …), found "just text""#, kind: .notAPlan)
    expectError(planWith([:]) + "---\nversion: 1\n", line: 16, keyPath: "",
                message: "more than one YAML document: a plan is one document", kind: .notAPlan)
}

@Test func yamlSyntaxErrorsAndDuplicateKeys() {
    let bad = loadError(planWith([11: "    address: [192.168.56.120"]))
    #expect(bad?.kind == .syntax)
    #expect(bad?.line == 12)
    #expect(bad?.message.hasPrefix("not valid YAML: ") == true)
    expectError(planWith([12: "    containers: 192.168.20.0/24\n    address: 192.168.56.121"]), line: 13, keyPath: "",
                message: #"key "address" appears twice in one mapping"#, kind: .syntax)
    expectError(planWith([14: "nat: none\nnat: allowed"]), line: 15, keyPath: "",
                message: #"key "nat" appears twice in one mapping"#, kind: .syntax)
}

@Test func inputThatIsNotText() {
    var bytes = Array(planWith([:]).utf8)
    bytes[20] = 0xFF
    #expect(throws: PlanError.self) { try PlanLoader().load(bytes: bytes) }
    do {
        _ = try PlanLoader().load(bytes: bytes)
    } catch {
        #expect(error.kind == .notText)
        #expect(error.description == "plan.yaml: the file is not UTF-8 text")
    }
}

@Test func unreadableFile() {
    do {
        _ = try PlanLoader().load(contentsOf: "/nonexistent/crosswire/plan.yaml")
        Issue.record("loaded a missing file")
    } catch {
        #expect(error.kind == .unreadable)
        #expect(error.description == "/nonexistent/crosswire/plan.yaml: cannot open the file")
    }
}
