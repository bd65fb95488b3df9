// route.symmetry (docs/CHECKS.md): the first hop each host's containers' packets
// take towards the other host's containers, both ways; a detour one way only warns.

import CrosswireVerdict
import Testing

@Suite struct RouteSymmetryTests {
    /// A frame of a container of `from` to a container of the other host, sent by `from`'s NIC to `nextHopMAC`.
    func forward(_ nextHopMAC: String) -> [UInt8] {
        Frame.eth(Addr.host1MAC, nextHopMAC, Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001, ttl: 63))
    }
    func back(_ nextHopMAC: String) -> [UInt8] {
        Frame.eth(Addr.host2MAC, nextHopMAC, Frame.udpPacket(Addr.c2, 5001, Addr.c1, 5000, id: 0x0888, ttl: 63))
    }
    let threeHosts = planYAML(hostKeys: [[], []], extra: [
        "routers:", "  - { name: edge, address: 192.168.56.1, mac: \"\(Addr.routerMAC)\" }",
    ])

    @Test func directBothWaysPasses() throws {
        let v = try Lab.verify(plan: threeHosts, frames: [forward(Addr.host2MAC), back(Addr.host1MAC)])
        #expect(v.status(.routeSymmetry) == .pass, "\(v.digest)")
    }

    @Test func throughTheSameRouterBothWaysPasses() throws {
        let v = try Lab.verify(plan: threeHosts, frames: [forward(Addr.routerMAC), back(Addr.routerMAC)])
        #expect(v.status(.routeSymmetry) == .pass, "\(v.digest)")
    }

    /// host2's answers go to the router, host1's packets straight to host2 (a missing return route).
    @Test func aDetourOneWayWarns() throws {
        let v = try Lab.verify(plan: threeHosts, frames: [forward(Addr.host2MAC), back(Addr.routerMAC)])
        #expect(v.status(.routeSymmetry) == .warn, "\(v.digest)")
        #expect(v[.routeSymmetry].summary.contains("host1 → host2's containers direct, host2 → host1's containers via edge"))
        #expect(v.cited(.routeSymmetry) == a(1, 2))  // one frame a direction
        #expect(v[.routeSymmetry].hint?.contains("ip route replace 192.168.10.0/24 via 192.168.56.119") == true, "\(v[.routeSymmetry].hint ?? "")")
    }

    /// The plan routes host2's traffic through the router on purpose: the asymmetry is planned.
    @Test func aPlannedDetourPasses() throws {
        let plan = threeHosts + "routes:\n  - { at: host2, to: 192.168.10.0/24, via: 192.168.56.1 }\n  - { at: host1, to: 192.168.20.0/24, via: 192.168.56.120 }\n"
        let v = try Lab.verify(plan: plan, frames: [forward(Addr.host2MAC), back(Addr.routerMAC)])
        #expect(v.status(.routeSymmetry) == .pass, "\(v.digest)")
    }

    @Test func oneDirectionOnlySkips() throws {
        let v = try Lab.verify(plan: threeHosts, frames: [forward(Addr.host2MAC)])
        #expect(v.status(.routeSymmetry) == .skip, "\(v.digest)")
    }
}
