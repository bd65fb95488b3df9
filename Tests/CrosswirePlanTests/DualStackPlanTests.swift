// Contract 1.1's plan keys: dual-stack addresses and container subnets,
// `services` and `transport.max_loss`, read and judged like their single-family forms.

@testable import CrosswirePlan
import CrosswireDecoder
import Testing

let dualStackPlan = """
    version: 1
    name: dual
    underlay: { subnet: 192.168.56.0/24 }
    hosts:
      - name: host1
        address: [192.168.56.119, "fd00:56::119"]
        containers: ["fd00:10::/64", 192.168.10.0/24]
      - name: host2
        address: [192.168.56.120, "fd00:56::120"]
        containers: [192.168.20.0/24, "fd00:20::/64"]
    transport: { mode: routed, max_loss: 0.01 }
    nat: none
    services: [10.96.0.0/12]
    routing: { protocol: static }
    """

@Test func dualStackHostsKeepEveryAddressAndSubnet() throws {
    let plan = try loadPlan(dualStackPlan)
    #expect(plan.hosts[0].addresses.map { "\($0)" } == ["192.168.56.119", "fd00:56::119"])
    #expect(plan.hosts[0].containerSubnets.map { "\($0)" } == ["fd00:10::/64", "192.168.10.0/24"])
    #expect(plan.services.map { "\($0)" } == ["10.96.0.0/12"])
    #expect(plan.transport.maxLoss == 0.01)
    #expect(plan.problems.isEmpty, "\(plan.lintLines())")
}

@Test func bothFamiliesHaveOwnersAndDefaultRoutesOfTheirFamily() throws {
    let plan = try loadPlan(dualStackPlan)
    #expect(plan.owner(of: IPAddress("fd00:20::5")!)?.name == "host2")
    #expect(plan.owner(of: IPAddress("192.168.10.7")!)?.name == "host1")
    #expect(plan.node(at: IPAddress("fd00:56::120")!)?.name == "host2")
    // Each subnet is reached via the owner's address of its own family.
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("fd00:20::5")!) == IPAddress("fd00:56::120"))
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("192.168.20.5")!) == IPAddress("192.168.56.120"))
    #expect(plan.plannedNextHop(from: "host1", to: IPAddress("fd00:10::5")!) == nil)
    let routes = plan.effectiveRoutes.filter { $0.at == "host2" }.map { "\($0.to) via \($0.via)" }
    #expect(routes == ["fd00:10::/64 via fd00:56::119", "192.168.10.0/24 via 192.168.56.119"])
    #expect(plan.isServiceAddress(IPAddress("10.96.0.10")!))
    #expect(!plan.isServiceAddress(IPAddress("192.168.20.2")!))
}

@Test func dualStackContradictionsArePlanProblems() throws {
    // Overlap in the second family, a next hop of the wrong family, a service range over containers.
    let yaml = dualStackPlan
        .replacingOccurrences(of: "[192.168.20.0/24, \"fd00:20::/64\"]", with: "[192.168.20.0/24, \"fd00:10::/80\"]")
        .replacingOccurrences(of: "services: [10.96.0.0/12]", with: "services: [192.168.20.0/25]")
        + "\nroutes:\n  - { at: host1, to: \"fd00:20::/64\", via: 192.168.56.120 }\n"
    let lines = try loadPlan(yaml).lintLines()
    #expect(lines.contains("plan.yaml:10: hosts[1].containers: fd00:10::/80 overlaps the containers of host host1, fd00:10::/64"), "\(lines)")
    #expect(lines.contains { $0.contains("routes[0].via: 192.168.56.120 is IPv4 but fd00:20::/64 is IPv6") }, "\(lines)")
    #expect(lines.contains { $0.contains("services: 192.168.20.0/25 overlaps the containers of host host2, 192.168.20.0/24") }, "\(lines)")
    // The IPv6 address is not judged against an IPv4 underlay.subnet.
    #expect(!lines.contains { $0.contains("fd00:56::119 is outside underlay.subnet") }, "\(lines)")
}
