// The topology lookups every analyser makes per packet: IPv4 goes through a
// compact integer table, IPv6 through the nodes; both must answer as the plan
// says (the longest prefix owns an address), checked on random plans too.

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

    /// `Topology.owner` (per packet, its own tables), `Plan.owner` and a brute-force longest
    /// prefix (then the first host) agree on random plans of nested and overlapping subnets.
    @Test func ownersAgreeWithThePlanOnRandomPlans() {
        var random = SplitMix64(seed: 14)
        for round in 0..<300 {
            let plan = Self.randomPlan(&random)
            let topology = Topology(plan: plan)
            for _ in 0..<200 {
                let address = Self.randomAddress(&random, near: plan)
                let expected = Self.longestPrefixOwner(plan, address)
                let planOwner = plan.owner(of: address).flatMap { o in plan.hosts.firstIndex { $0.name == o.name } }
                #expect(topology.owner(of: address) == expected, "round \(round): \(address) in \(plan.hosts.map(\.containerSubnets))")
                #expect(planOwner == expected, "round \(round): \(address) in \(plan.hosts.map(\.containerSubnets))")
                if topology.owner(of: address) != expected || planOwner != expected { return }
            }
        }
    }

    /// The rule written out once more, as plainly as possible: longest prefix, then the first host.
    static func longestPrefixOwner(_ plan: Plan, _ address: IPAddress) -> Int? {
        var best: Int?, bestLength = -1
        for (h, host) in plan.hosts.enumerated() {
            for s in host.containerSubnets where s.contains(address) && s.length > bestLength { best = h; bestLength = s.length }
        }
        return best
    }

    /// One to six hosts (then a router) with one to three subnets each, IPv4 or IPv6, drawn from a
    /// small space so that they nest, overlap and repeat.
    static func randomPlan(_ random: inout SplitMix64) -> Plan {
        let hosts = (0..<Int(random.next() % 6 + 1)).map { i in
            Host(
                name: "h\(i)", addresses: [.v4(IPv4Address(192, 168, 56, UInt8(i + 1)))],
                containerSubnets: (0..<Int(random.next() % 3 + 1)).map { _ in
                    let v4Lengths = [0, 8, 16, 20, 22, 23, 24, 25, 26, 28, 31, 32]
                    let v6Lengths = [0, 16, 48, 60, 63, 64, 65, 72, 96, 120, 127, 128]
                    let v4 = random.next() % 2 == 0
                    let lengths = v4 ? v4Lengths : v6Lengths
                    return IPPrefix(address: randomAddress(&random, v4: v4), length: lengths[Int(random.next() % UInt64(lengths.count))])!
                })
        }
        return Plan(
            name: "random", hosts: hosts, routers: [Router(name: "r", address: IPAddress("192.168.56.254")!)],
            transport: Transport(mode: .routed), nat: .none, routing: Routing(routingProtocol: .static))
    }

    /// An address of the small space the subnets come from, of either family.
    static func randomAddress(_ random: inout SplitMix64, v4: Bool) -> IPAddress {
        let bits = random.next()
        if v4 { return .v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(truncatingIfNeeded: bits) & 0x0003_03FF)) }
        return .v6(IPv6Address(high: 0xFD00_0000_0000_0000 | bits & 0x0003_0000_0001_0003, low: bits >> 60 | bits & 0x0300_0000_0000_0000))
    }

    /// Mostly an address inside one of the plan's subnets (host bits random), else any of the small space.
    static func randomAddress(_ random: inout SplitMix64, near plan: Plan) -> IPAddress {
        let subnets = plan.hosts.flatMap(\.containerSubnets)
        let any = randomAddress(&random, v4: random.next() % 2 == 0)
        guard random.next() % 4 != 0 else { return any }
        let s = subnets[Int(random.next() % UInt64(subnets.count))]
        let host = random.next(), host2 = random.next()
        switch s.network {
        case .v4(let n):
            return .v4(IPv4Address(rawValue: n.rawValue | UInt32(truncatingIfNeeded: host) & ~IPPrefix.mask32(s.length)))
        case .v6(let n):
            let high = s.length >= 64 ? n.high : n.high | host >> s.length
            let low = s.length <= 64 ? host2 : n.low | (s.length == 128 ? 0 : host2 >> (s.length - 64))
            return .v6(IPv6Address(high: high, low: low))
        }
    }
}

/// A small seeded generator, so that a failure can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
