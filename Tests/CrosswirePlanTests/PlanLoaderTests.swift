// The loader on valid plans: the contract's example, defaults, IPv6, MACs.

import CrosswireDecoder
import Foundation
@testable import CrosswirePlan
import Testing

@Test func specExampleLoadsWithEveryValue() throws {
    let plan = try loadPlan(specExamplePlan)
    #expect(plan.version == 1)
    #expect(plan.name == "blog-static-routes")
    #expect(plan.description == "Two Docker hosts, own bip each, joined by static routes.")
    #expect(plan.underlay == Underlay(mtu: 1500, subnet: IPPrefix("192.168.56.0/24")))
    #expect(plan.hosts.count == 2)
    let host1 = plan.hosts[0]
    #expect(host1.name == "host1")
    #expect(host1.address == IPAddress("192.168.56.119"))
    #expect(host1.mac == MACAddress("02:42:c0:a8:38:77"))
    #expect(host1.containers == IPPrefix("192.168.10.0/24"))
    #expect(host1.gateway == IPAddress("192.168.10.1"))
    #expect(host1.asn == 64512)
    #expect(host1.routerID == IPv4Address("192.168.56.119"))
    #expect(plan.hosts[1] == Host(name: "host2", address: IPAddress("192.168.56.120")!,
                                  containers: IPPrefix("192.168.20.0/24")!))
    #expect(plan.routers == [Router(name: "core", address: IPAddress("192.168.56.1")!,
                                    mac: MACAddress("02:00:00:00:00:01"))])
    #expect(plan.transport.mode == .routed)
    #expect(plan.transport.mtu == 1450)
    #expect(plan.transport.vxlan == TunnelSettings(vni: 1, port: 8472))
    #expect(plan.transport.geneve == TunnelSettings(vni: 1, port: 6081))
    #expect(plan.transport.maxOverheadRatio == 0.05)
    #expect(plan.transport.tunnel == nil)
    #expect(plan.nat == .none)
    #expect(plan.publish == [PublishedPort(host: "host2", port: 8080, transportProtocol: .tcp,
                                           to: Endpoint(address: IPAddress("192.168.20.2")!, port: 80))])
    #expect(plan.routes == [
        Route(at: "host1", to: IPPrefix("192.168.20.0/24")!, via: IPAddress("192.168.56.120")!),
        Route(at: "core", to: IPPrefix("192.168.10.0/24")!, via: IPAddress("192.168.56.119")!),
    ])
    #expect(plan.routing.routingProtocol == .static)
    #expect(plan.routing.bgp == BGPExpectations(holdTime: 90))
    #expect(plan.routing.ospf == OSPFExpectations(area: 0, helloInterval: 10, deadInterval: 40))
    #expect(plan.source.file == "plan.yaml")
    #expect(plan.source.line(of: "hosts[1].containers") == 19)
    #expect(plan.source.line(of: "routes[1]") == 48)
}

@Test func minimalPlanTakesDefaults() throws {
    let plan = try loadPlan(minimalPlan)
    #expect(plan.description == nil)
    #expect(plan.underlay == Underlay(mtu: 1500, subnet: nil))
    #expect(plan.routers.isEmpty)
    #expect(plan.publish.isEmpty)
    #expect(plan.routes == nil)
    #expect(plan.transport == Transport(mode: .routed))
    #expect(plan.routing == Routing(routingProtocol: .static))
}

@Test func routesAbsentAndEmptyStayDifferent() throws {
    let absent = try loadPlan(minimalPlan)
    let empty = try loadPlan(minimalPlan + "routes: []\n")
    #expect(absent.routes == nil)
    #expect(empty.routes == [])
    // Absent: every node reaches every other host's containers via that host.
    #expect(absent.effectiveRoutes == [
        Route(at: "host1", to: IPPrefix("192.168.20.0/24")!, via: IPAddress("192.168.56.120")!),
        Route(at: "host2", to: IPPrefix("192.168.10.0/24")!, via: IPAddress("192.168.56.119")!),
    ])
    #expect(empty.effectiveRoutes.isEmpty)
    #expect(absent.plannedNextHop(from: "host1", to: IPAddress("192.168.20.7")!) == IPAddress("192.168.56.120"))
    #expect(empty.plannedNextHop(from: "host1", to: IPAddress("192.168.20.7")!) == nil)
}

@Test func unquotedMACReadsAsItsTextEvenWhenYAML11SeesASexagesimalNumber() throws {
    // 12:34:56:12:34:56 matches YAML 1.1's sexagesimal integer form; 02:42:… does not but is unquoted too.
    let yaml = minimalPlan
        .replacingOccurrences(of: "    address: 192.168.56.119\n", with: "    address: 192.168.56.119\n    mac: 12:34:56:12:34:56\n")
        .replacingOccurrences(of: "    address: 192.168.56.120\n", with: "    address: 192.168.56.120\n    mac: 02:42:c0:a8:38:78\n")
    let plan = try loadPlan(yaml)
    #expect(plan.hosts[0].mac == MACAddress(rawValue: 0x1234_5612_3456))
    #expect(plan.hosts[1].mac == MACAddress("02:42:c0:a8:38:78"))
}

@Test func ipv6ContainerSubnetsAndEndpoints() throws {
    let yaml = """
        version: 1
        name: v6
        underlay: { subnet: "fd00:56::/64", mtu: 9000 }
        hosts:
          - { name: a, address: "fd00:56::119", containers: "fd00:10::/64", gateway: "fd00:10::1" }
          - { name: b, address: "fd00:56::120", containers: "fd00:20::/64" }
        transport: { mode: vxlan, vxlan: { vni: 42 } }
        nat: none
        publish:
          - { host: b, port: 443, protocol: tcp, to: "[fd00:20::2]:8443" }
        routing: { protocol: static }
        """
    let plan = try loadPlan(yaml)
    #expect(plan.hosts[0].containers == IPPrefix("fd00:10::/64"))
    #expect(plan.hosts[0].gateway == IPAddress("fd00:10::1"))
    #expect(plan.underlay.mtu == 9000)
    #expect(plan.transport.tunnel == TunnelSettings(vni: 42, port: 4789))
    #expect(plan.publish[0].to == Endpoint(address: IPAddress("fd00:20::2")!, port: 8443))
    #expect(plan.publish[0].to.description == "[fd00:20::2]:8443")
    #expect(plan.owner(of: IPAddress("fd00:20::99")!)?.name == "b")
    #expect(plan.owner(of: IPAddress("192.168.20.99")!) == nil)
    #expect(plan.plannedNextHop(from: "a", to: IPAddress("fd00:20::5")!) == IPAddress("fd00:56::120"))
    #expect(plan.problems.isEmpty)
}

@Test func bipFormPrefixKeepsItsNetwork() throws {
    let plan = try loadPlan(minimalPlan.replacingOccurrences(of: "192.168.10.0/24", with: "192.168.10.1/24"))
    #expect(plan.hosts[0].containers == IPPrefix("192.168.10.0/24"))
}

@Test func ospfAreaDottedOrInteger() throws {
    let dotted = try loadPlan(minimalPlan.replacingOccurrences(
        of: "  protocol: static\n", with: "  protocol: ospf\n  ospf: { area: 0.0.0.7, hello_interval: 10 }\n"))
    let integer = try loadPlan(minimalPlan.replacingOccurrences(
        of: "  protocol: static\n", with: "  protocol: ospf\n  ospf: { area: 7, dead_interval: 40 }\n"))
    #expect(dotted.routing.ospf == OSPFExpectations(area: 7, helloInterval: 10))
    #expect(integer.routing.ospf == OSPFExpectations(area: 7, deadInterval: 40))
    #expect(dotted.routing.routingProtocol == .ospf)
}

@Test func geneveDefaultsItsPortAndRatioReadsAsANumber() throws {
    let plan = try loadPlan(minimalPlan.replacingOccurrences(
        of: "  mode: routed\n", with: "  mode: geneve\n  geneve: { vni: 7 }\n  max_overhead_ratio: 1\n  mtu: 1400\n"))
    #expect(plan.transport.tunnel == TunnelSettings(vni: 7, port: 6081))
    #expect(plan.transport.maxOverheadRatio == 1.0)
    #expect(plan.transport.mtu == 1400)
}

@Test func smallAliasesStillWork() throws {
    // Honest anchors (a shared value) stay usable: only their expansion is bounded.
    let plan = try loadPlan(minimalPlan.replacingOccurrences(of: "nat: none", with: "nat: &n none\ndescription: *n"))
    #expect(plan.description == "none")
}

@Test func loadsFromAFileAndNamesItAsGiven() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-plan-\(UInt32.random(in: 0...UInt32.max)).yaml").path
    try specExamplePlan.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let plan = try PlanLoader().load(contentsOf: path)
    #expect(plan.source.file == path)
    #expect(plan.name == "blog-static-routes")
}
