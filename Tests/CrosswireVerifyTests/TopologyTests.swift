// The topology lookups every analyser makes per packet: IPv4 goes through a
// compact integer table, IPv6 through the nodes; both must answer as the plan
// says (the longest prefix owns an address).

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerify
import Testing

@Suite struct TopologyTests {
    static let topology = Topology(plan: Plan(
        name: "overlaps",
        hosts: [
            Host(name: "everything", address: IPAddress("10.0.0.1")!, containers: IPPrefix("0.0.0.0/0")!),
            Host(name: "wide", address: IPAddress("192.168.56.120")!, containers: IPPrefix("192.168.0.0/16")!),
            Host(name: "host1", address: IPAddress("192.168.56.119")!, containers: IPPrefix("192.168.10.0/24")!),
            Host(name: "v6host", address: IPAddress("fd00::1")!, containers: IPPrefix("fd00:10::/64")!),
            Host(name: "v6wide", address: IPAddress("fd00::2")!, containers: IPPrefix("fd00::/16")!),
        ],
        routers: [Router(name: "router", address: IPAddress("192.168.56.1")!)],
        transport: Transport(mode: .routed), nat: .none, routing: Routing(routingProtocol: .static)))

    @Test func ownersTakeTheLongestPrefix() {
        let t = Self.topology
        #expect(t.owner(of: IPAddress("192.168.10.7")!) == 2, "the longest of overlapping subnets, wherever it is in the plan")
        #expect(t.owner(of: IPAddress("192.168.11.7")!) == 1)
        #expect(t.owner(of: IPAddress("8.8.8.8")!) == 0, "a /0 holds every IPv4 address")
        #expect(t.owner(of: IPAddress("fd00:10::5")!) == 3)
        #expect(t.owner(of: IPAddress("fd00:11::5")!) == 4)
        #expect(t.owner(of: IPAddress("fe80::1")!) == nil)
        #expect(t.isContainer(IPAddress("192.168.10.255")!))
    }

    @Test func nodesByUnderlayAddress() {
        let t = Self.topology
        #expect(t.node(at: IPAddress("192.168.56.119")!) == 2)
        #expect(t.node(at: IPAddress("192.168.56.1")!) == 5, "routers follow the hosts")
        #expect(t.node(at: IPAddress("fd00::1")!) == 3)
        #expect(t.node(at: IPAddress("192.168.56.2")!) == nil)
        #expect(t.node(at: IPAddress("fd00::3")!) == nil)
    }
}
