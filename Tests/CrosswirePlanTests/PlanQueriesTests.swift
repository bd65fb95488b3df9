// The questions the checks ask the plan: owner, nodes, next hops, publishes.

import CrosswireDecoder
import CrosswirePlan
import Foundation
import Testing

@Test func ownerAndNodesOfTheSpecExample() throws {
    let plan = try loadPlan(specExamplePlan)
    #expect(plan.owner(of: IPAddress("192.168.10.2")!)?.name == "host1")
    #expect(plan.owner(of: IPAddress("192.168.20.255")!)?.name == "host2")
    #expect(plan.owner(of: IPAddress("192.168.56.119")!) == nil)
    #expect(plan.isContainerAddress(IPAddress("192.168.20.2")!))
    #expect(!plan.isContainerAddress(IPAddress("10.0.0.1")!))
    #expect(plan.host(named: "host2")?.address == IPAddress("192.168.56.120"))
    #expect(plan.host(named: "core") == nil)
    #expect(plan.router(named: "core")?.mac == MACAddress("02:00:00:00:00:01"))
    #expect(plan.node(named: "core")?.address == IPAddress("192.168.56.1"))
    #expect(plan.node(named: "nobody") == nil)
    #expect(plan.node(at: IPAddress("192.168.56.1")!)?.name == "core")
    #expect(plan.node(at: IPAddress("192.168.56.119")!)?.mac == MACAddress("02:42:c0:a8:38:77"))
    #expect(plan.node(at: IPAddress("192.168.56.2")!) == nil)
    #expect(plan.nodes.map(\.name) == ["host1", "host2", "core"])
}

@Test func ownerPrefersTheLongestPrefix() throws {
    let plan = try loadPlan(planWith([12: "    containers: 192.168.10.128/25"]))
    #expect(plan.owner(of: IPAddress("192.168.10.200")!)?.name == "host2")
    #expect(plan.owner(of: IPAddress("192.168.10.20")!)?.name == "host1")
}

@Test func plannedNextHopFollowsRoutesByLongestPrefix() throws {
    let core = "  - { at: core,  to: 192.168.10.0/24, via: 192.168.56.119 }\n"
    #expect(specExamplePlan.contains(core))
    let plan = try loadPlan(specExamplePlan.replacingOccurrences(
        of: core, with: core + "  - { at: host1, to: 192.168.20.128/25, via: 192.168.56.1 }\n"))
    // Explicit routes only: host2 has none, so it plans no next hop (routes are not the default).
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("192.168.20.2")!) == IPAddress("192.168.56.120"))
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("192.168.20.200")!) == IPAddress("192.168.56.1"))
    #expect(plan.plannedNextHop(from: "core", to: IPAddress("192.168.10.9")!) == IPAddress("192.168.56.119"))
    #expect(plan.plannedNextHop(from: "core", to: IPAddress("192.168.20.9")!) == nil)
    #expect(plan.plannedNextHop(from: "host2", to: IPAddress("192.168.10.9")!) == nil)
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("192.168.10.9")!) == nil, "own containers: local")
    #expect(plan.plannedNextHop(from: "ghost", to: IPAddress("192.168.20.2")!) == nil)
}

@Test func defaultRoutesIncludeRoutersTowardsTheOwner() throws {
    let plan = try loadPlan(minimalPlan + "routers:\n  - { name: core, address: 192.168.56.1 }\n")
    #expect(plan.plannedNextHop(from: "core", to: IPAddress("192.168.10.5")!) == IPAddress("192.168.56.119"))
    #expect(plan.plannedNextHop(from: "host2", to: IPAddress("192.168.10.5")!) == IPAddress("192.168.56.119"))
    #expect(plan.effectiveRoutes.count == 4)
}

@Test func publishMappingMatchesHostAddressPortAndProtocol() throws {
    let plan = try loadPlan(specExamplePlan)
    let host2 = IPAddress("192.168.56.120")!
    let entry = plan.publishMapping(hostAddress: host2, port: 8080, protocol: .tcp)
    #expect(entry?.to == Endpoint(address: IPAddress("192.168.20.2")!, port: 80))
    #expect(plan.publishMapping(hostAddress: host2, port: 8080, protocol: .udp) == nil)
    #expect(plan.publishMapping(hostAddress: host2, port: 8081, protocol: .tcp) == nil)
    #expect(plan.publishMapping(hostAddress: IPAddress("192.168.56.119")!, port: 8080, protocol: .tcp) == nil)
}

@Test func endpointText() {
    #expect(Endpoint("192.168.20.2:80") == Endpoint(address: IPAddress("192.168.20.2")!, port: 80))
    #expect(Endpoint("[fd00::2]:443")?.description == "[fd00::2]:443")
    #expect(Endpoint("fd00::2:443") == nil, "IPv6 needs brackets")
    #expect(Endpoint("192.168.20.2:0") == nil)
    #expect(Endpoint("192.168.20.2:65536") == nil)
    #expect(Endpoint("192.168.20.2:+80") == nil)
    #expect(Endpoint("192.168.20.2") == nil)
    #expect(Endpoint("[192.168.20.2]:80") == nil)
}

/// The parsing fixes made in CrosswireDecoder's AddressText for plan files.
@Test func addressTextRefusesWhatInetPtonRefuses() {
    #expect(IPAddress("+1::") == nil)
    #expect(IPAddress("-0::") == nil)
    #expect(IPAddress("1.2.3.4::") == nil)
    #expect(IPAddress("::ffff:1.2.3.4") != nil)
    #expect(IPAddress("010.1.1.1") == nil)
    #expect(IPAddress("0.0.0.0") != nil)
    #expect(IPAddress("10.100.0.1") != nil)
    #expect(IPPrefix("10.0.0.0/+8") == nil)
    #expect(IPPrefix("10.0.0.0/8") != nil)
    #expect(IPPrefix("fd00::/0064") == nil)
}
