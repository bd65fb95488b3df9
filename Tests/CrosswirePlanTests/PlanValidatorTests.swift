// plan.valid: each contradiction reported once, at its key path and line.

import CrosswireDecoder
import CrosswirePlan
import Foundation
import Testing

/// The problems of `yaml` as `line: keyPath: message` strings.
func problems(_ yaml: String) throws -> [PlanProblem] { try loadPlan(yaml).problems }

@Test func specExampleIsConsistent() throws {
    let plan = try loadPlan(specExamplePlan)
    #expect(plan.problems == [])
    #expect(plan.lintLines() == ["OK: plan blog-static-routes is consistent (2 hosts, 1 router)"])
}

/// `numberedPlan` (underlay 192.168.56.0/24, host1 .119 with 192.168.10.0/24 on lines 6–9,
/// host2 .120 with 192.168.20.0/24 on lines 10–12) with `extra` appended after line 15.
func planPlus(_ extra: String, replacing replacements: [Int: String] = [:]) -> String {
    planWith(replacements) + extra
}

/// The problems as `line: keyPath: message` strings, for exact comparison.
func problemLines(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        return try loadPlan(yaml).problems.map { "\($0.line.map(String.init) ?? "-"): \($0)" }
    } catch {
        Issue.record("did not load: \(error)", sourceLocation: sourceLocation)
        return []
    }
}

@Test func overlappingContainerSubnets() {
    #expect(problemLines(planWith([12: "    containers: 192.168.8.0/21"])) == [
        "12: hosts[1].containers: 192.168.8.0/21 overlaps the containers of host host1, 192.168.10.0/24",
    ])
}

@Test func containerSubnetHoldingAHostOrRouterAddress() {
    #expect(problemLines(planPlus("routers:\n  - { name: core, address: 192.168.20.1 }\n")) == [
        "12: hosts[1].containers: 192.168.20.0/24 contains the address of router core, 192.168.20.1",
    ])
    // Its own host's address counts too; so does the underlay overlap in routed mode.
    #expect(problemLines(planWith([11: "    address: 192.168.20.5"])) == [
        "11: hosts[1].address: 192.168.20.5 is outside underlay.subnet 192.168.56.0/24, the hosts' own segment",
        "12: hosts[1].containers: 192.168.20.0/24 contains the address of host host2, 192.168.20.5",
    ])
    #expect(problemLines(planWith([12: "    containers: 192.168.56.128/25"])) == [
        "12: hosts[1].containers: 192.168.56.128/25 overlaps underlay.subnet 192.168.56.0/24: in routed mode container subnets are apart from the underlay",
    ])
}

@Test func bridgedModeWantsContainersInsideTheUnderlay() {
    let bridged = planWith([9: "    containers: 192.168.56.128/28", 12: "    containers: 192.168.56.144/28",
                            13: "transport: { mode: bridged }"])
    #expect(problemLines(bridged) == [])
    #expect(problemLines(planWith([13: "transport: { mode: bridged }"])) == [
        "9: hosts[0].containers: 192.168.10.0/24 is not inside underlay.subnet 192.168.56.0/24: in bridged mode containers share the underlay segment",
        "12: hosts[1].containers: 192.168.20.0/24 is not inside underlay.subnet 192.168.56.0/24: in bridged mode containers share the underlay segment",
    ])
}

@Test func duplicateNamesAndAddresses() {
    #expect(problemLines(planWith([10: "  - name: host1", 11: "    address: 192.168.56.119"])) == [
        "10: hosts[1].name: the name \"host1\" is already used by host host1",
        "11: hosts[1].address: 192.168.56.119 is already the address of host host1",
    ])
    #expect(problemLines(planPlus("routers:\n  - { name: host2, address: 192.168.56.120 }\n")) == [
        "17: routers[0].name: the name \"host2\" is already used by host host2",
        "17: routers[0].address: 192.168.56.120 is already the address of host host2",
    ])
}

@Test func routeProblems() {
    let yaml = planPlus("""
        routers:
          - { name: core, address: 192.168.56.1 }
        routes:
          - { at: host9, to: 192.168.20.0/24, via: 192.168.56.120 }
          - { at: host1, to: 192.168.20.0/24, via: 10.9.9.9 }
          - { at: host1, to: 192.168.20.0/24, via: 192.168.56.119 }
          - { at: host1, to: 192.168.10.128/25, via: 192.168.56.1 }
          - { at: core, to: 192.168.10.0/24, via: 192.168.56.119 }
          - { at: core, to: 192.168.10.0/24, via: 192.168.56.77 }

        """)
    #expect(problemLines(yaml) == [
        "19: routes[0].at: \"host9\" is not a planned host or router",
        "20: routes[1].via: 10.9.9.9 is neither a planned host or router address nor inside underlay.subnet 192.168.56.0/24: the next hop is unreachable",
        "21: routes[2].via: 192.168.56.119 is the address of host host1 itself",
        "21: routes[2]: a second route at host1 to 192.168.20.0/24, via 192.168.56.119 where routes[1] goes via 10.9.9.9",
        "22: routes[3].to: 192.168.10.128/25 is inside the own containers of host host1, 192.168.10.0/24",
        "24: routes[5]: a second route at core to 192.168.10.0/24, via 192.168.56.77 where routes[4] goes via 192.168.56.119",
    ])
    // Inside underlay.subnet is on-link, so reachable; without a subnet only planned addresses are.
    let onLink = planPlus("routes:\n  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.77 }\n")
    #expect(problemLines(onLink) == [])
    let noSubnet = planPlus("routes:\n  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.77 }\n",
                            replacing: [3: "underlay: { mtu: 1500 }", 4: ""])
    #expect(problemLines(noSubnet) == [
        "17: routes[0].via: 192.168.56.77 is not a planned host or router address, and no underlay.subnet says it is on-link: the next hop is unreachable",
    ])
}

@Test func publishProblems() {
    let yaml = planPlus("""
        routers:
          - { name: core, address: 192.168.56.1 }
        publish:
          - { host: host2, port: 8080, protocol: tcp, to: 192.168.20.2:80 }
          - { host: host3, port: 8080, protocol: tcp, to: 192.168.20.2:80 }
          - { host: host2, port: 8081, protocol: tcp, to: 192.168.10.2:80 }
          - { host: core, port: 80, protocol: tcp, to: 192.168.20.2:80 }
          - { host: host2, port: 8080, protocol: tcp, to: 192.168.20.3:80 }
          - { host: host2, port: 8080, protocol: udp, to: 192.168.20.3:80 }

        """)
    #expect(problemLines(yaml) == [
        "20: publish[1].host: \"host3\" is not a planned host",
        "21: publish[2].to: 192.168.10.2 is outside the containers of host host2, 192.168.20.0/24",
        "22: publish[3].host: \"core\" is a router: only hosts publish container ports",
        "23: publish[4]: port 8080/tcp of host2 is already published by publish[0]",
    ])
}

@Test func hostProblems() {
    #expect(problemLines(planWith([9: "    containers: 192.168.10.0/24\n    gateway: 192.168.11.1"])) == [
        "10: hosts[0].gateway: 192.168.11.1 is outside the host's own containers 192.168.10.0/24",
    ])
    #expect(problemLines(planWith([9: "    containers: 192.168.10.0/24\n    router_id: 1.1.1.1",
                                   12: "    containers: 192.168.20.0/24\n    router_id: 1.1.1.1"])) == [
        "14: hosts[1].router_id: 1.1.1.1 is already the router id of host host1",
    ])
}

@Test func transportProblems() {
    #expect(problemLines(planWith([13: "transport: { mode: vxlan }"])) == [
        "13: transport.mode: mode is vxlan but transport.vxlan (vni, port) is not given",
    ])
    #expect(problemLines(planWith([13: "transport: { mode: geneve, vxlan: { vni: 1 } }"])) == [
        "13: transport.mode: mode is geneve but transport.geneve (vni, port) is not given",
    ])
    // Settings for a mode not in use are fine (the contract's example has them).
    #expect(problemLines(planWith([13: "transport: { mode: routed, vxlan: { vni: 1 }, geneve: { vni: 2 } }"])) == [])
    // An inner MTU too large for the underlay is not a contradiction: such a network works, with
    // fragmented tunnel packets, and encap.mtu judges it from the traffic (docs/CHECKS.md).
    #expect(problemLines(planWith([13: "transport: { mode: vxlan, vxlan: { vni: 1 }, mtu: 1500 }"])) == [])
}

@Test func routingProblems() {
    #expect(problemLines(planWith([9: "    containers: 192.168.10.0/24\n    asn: 64512",
                                   15: "routing: { protocol: bgp, bgp: { hold_time: 90 } }"])) == [
        "11: hosts[1]: routing.protocol is bgp but host host2 has no asn",
    ])
    #expect(problemLines(planWith([15: "routing:\n  protocol: ospf\n  ospf: { hello_interval: 40, dead_interval: 40 }"])) == [
        "17: routing.ospf.dead_interval: 40 is not longer than hello_interval 40",
    ])
}

@Test func lintLinesNameTheFileAndLine() throws {
    let plan = try PlanLoader().load(yaml: planWith([12: "    containers: 192.168.8.0/21"]), path: "plans/lab.yaml")
    #expect(plan.lintLines() == [
        "plans/lab.yaml:12: hosts[1].containers: 192.168.8.0/21 overlaps the containers of host host1, 192.168.10.0/24",
    ])
    #expect(try loadPlan(minimalPlan).lintLines() == ["OK: plan mini is consistent (2 hosts, 0 routers)"])
    // A plan built in code has no lines: its problems still print, without one.
    var built = try loadPlan(minimalPlan)
    built.source = PlanSource(file: "built")
    built.hosts[1].containerSubnets = [IPPrefix("192.168.10.0/25")!]
    #expect(built.lintLines() == [
        "built: hosts[1].containers: 192.168.10.0/25 overlaps the containers of host host1, 192.168.10.0/24",
    ])
}
