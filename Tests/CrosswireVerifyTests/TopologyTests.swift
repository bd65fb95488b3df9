// The topology lookups every analyser makes per packet: IPv4 goes through a
// compact integer table, IPv6 through the nodes; both must answer as the plan says.

import CrosswireDecoder
import CrosswireVerify
import Testing

@Suite struct TopologyTests {
    static let topology = Topology(nodes: [
        TopologyNode(name: "host1", address: IPAddress("192.168.56.119")!, containers: IPPrefix("192.168.10.0/24")!),
        TopologyNode(name: "v6host", address: IPAddress("fd00::1")!, containers: IPPrefix("fd00:10::/64")!),
        TopologyNode(name: "wide", address: IPAddress("192.168.56.120")!, containers: IPPrefix("192.168.0.0/16")!),
        TopologyNode(name: "router", address: IPAddress("192.168.56.1")!, isRouter: true),
        TopologyNode(name: "everything", address: IPAddress("10.0.0.1")!, containers: IPPrefix("0.0.0.0/0")!),
    ])

    @Test func ownersFollowThePlanInNodeOrder() {
        let t = Self.topology
        #expect(t.owner(of: IPAddress("192.168.10.7")!) == 0, "the first of overlapping subnets")
        #expect(t.owner(of: IPAddress("192.168.11.7")!) == 2)
        #expect(t.owner(of: IPAddress("8.8.8.8")!) == 4, "a /0 holds every IPv4 address")
        #expect(t.owner(of: IPAddress("fd00:10::5")!) == 1)
        #expect(t.owner(of: IPAddress("fd00:11::5")!) == nil)
        #expect(t.isContainer(IPAddress("192.168.10.255")!))
    }

    @Test func nodesByUnderlayAddress() {
        let t = Self.topology
        #expect(t.node(at: IPAddress("192.168.56.119")!) == 0)
        #expect(t.node(at: IPAddress("192.168.56.1")!) == 3)
        #expect(t.node(at: IPAddress("fd00::1")!) == 1)
        #expect(t.node(at: IPAddress("192.168.56.2")!) == nil)
        #expect(t.node(at: IPAddress("fd00::2")!) == nil)
    }
}
