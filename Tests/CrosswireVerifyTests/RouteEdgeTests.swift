// route.nexthop and route.errors on small captures (docs/CHECKS.md).

import CrosswireVerdict
import Testing

/// The plan's router `core` (192.168.56.1), with its MAC when `mac`.
func coreRouter(mac: Bool = true) -> [String] {
    ["routers:", "  - { name: core, address: \(Addr.router)\(mac ? ", mac: \"\(Addr.routerMAC)\"" : "") }"]
}

@Suite struct NextHopEdgeTests {
    /// host1 sends container traffic for 192.168.20.2 to `dstMAC`.
    func towards(_ dstMAC: String, id: Int = 0x0500) -> [UInt8] {
        Frame.eth(Addr.host1MAC, dstMAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: id, ttl: 63))
    }

    /// ARP replies telling host1's and host2's MACs (and the router's).
    var arpReplies: [[UInt8]] {
        [
            Frame.arp(op: 2, senderMAC: Addr.host1MAC, senderIP: Addr.host1, targetMAC: Addr.host2MAC, targetIP: Addr.host2),
            Frame.arp(op: 2, senderMAC: Addr.host2MAC, senderIP: Addr.host2, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: Addr.routerMAC, senderIP: Addr.router, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
    }

    @Test func planMACsToTheOwningHostPasses() throws {
        let v = try Lab.verify(plan: planYAML(extra: coreRouter()), frames: [towards(Addr.host2MAC)])
        #expect(v.status(.routeNextHop) == .pass, "\(v.digest)")
        #expect(v.cited(.routeNextHop).isEmpty)
    }

    @Test func planMACsToARouterFails() throws {
        let v = try Lab.verify(plan: planYAML(extra: coreRouter()), frames: [towards(Addr.host2MAC), towards(Addr.routerMAC, id: 0x0501)])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == a(2))
        #expect(v[.routeNextHop].evidence.first?.detail.contains("core") == true)
    }

    @Test func planMACsToAThirdMACFails() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [towards(Addr.host3MAC)])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == a(1))
    }

    @Test func macsFromARPToTheOwningHostPasses() throws {
        let v = try Lab.verify(plan: planYAML(macs: false, extra: coreRouter(mac: false)), frames: arpReplies + [towards(Addr.host2MAC)])
        #expect(v.status(.routeNextHop) == .pass, "\(v.digest)")
        #expect(v.cited(.routeNextHop).isEmpty)
    }

    @Test func macsFromARPToARouterFails() throws {
        let v = try Lab.verify(plan: planYAML(macs: false, extra: coreRouter(mac: false)), frames: arpReplies + [towards(Addr.routerMAC)])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == a(4))
    }

    @Test func macsFromARPToAThirdMACFails() throws {
        let v = try Lab.verify(plan: planYAML(macs: false), frames: arpReplies + [towards(Addr.host3MAC)])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == a(4))
    }

    @Test func noMACsAndNoARPSkipsWithAReason() throws {
        let v = try Lab.verify(plan: planYAML(macs: false), frames: [towards(Addr.host2MAC)])
        #expect(v.status(.routeNextHop) == .skip, "\(v.digest)")
        #expect(v[.routeNextHop].summary.contains("MACs unknown"))
    }

    @Test func plannedRouteViaTheRouterPasses() throws {
        let routes = coreRouter() + ["routes:", "  - { at: host1, to: 192.168.20.0/24, via: \(Addr.router) }"]
        let v = try Lab.verify(plan: planYAML(extra: routes), frames: [towards(Addr.routerMAC)])
        #expect(v.status(.routeNextHop) == .pass, "\(v.digest)")
    }

    @Test func bridgedContainerTrafficLosingTTLBetweenPointsFails() throws {
        let plan = planYAML(mode: "bridged")
        let packet = { (ttl: UInt8) in Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0800, ttl: ttl) }
        let v = try Lab.verify(plan: plan, [
            Capture("a.pcap", [Frame.eth(Addr.c1MAC, Addr.c2MAC, packet(64))]),
            Capture("b.pcap", [Frame.eth(Addr.c1MAC, Addr.c2MAC, packet(63))]),
        ])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == b(1))
    }

    @Test func bridgedContainerTrafficSwitchedPasses() throws {
        let frame = Frame.eth(Addr.c1MAC, Addr.c2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0800))
        let v = try Lab.verify(plan: planYAML(mode: "bridged"), [Capture("a.pcap", [frame]), Capture("b.pcap", [frame])])
        #expect(v.status(.routeNextHop) == .pass, "\(v.digest)")
    }

    @Test func bridgedContainerTrafficToARouterMACFails() throws {
        let frame = Frame.eth(Addr.host1MAC, Addr.routerMAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0800))
        let v = try Lab.verify(plan: planYAML(mode: "bridged", extra: coreRouter()), frames: [frame])
        #expect(v.status(.routeNextHop) == .fail, "\(v.digest)")
        #expect(v.cited(.routeNextHop) == a(1))
    }
}

@Suite struct RouteErrorEdgeTests {
    /// A UDP datagram from host1's container to host2's.
    let request = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 53, id: 0x0600)

    @Test func hostUnreachableAboutContainerTrafficFails() throws {
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, request),
            Frame.eth(Addr.bridge1MAC, Addr.c1MAC, Frame.ipv4(src: Addr.host1, dst: Addr.c1, proto: 1, id: 0x0601, Frame.icmpError(type: 3, code: 1, quoting: request))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .fail, "\(v.digest)")
        #expect(v.cited(.routeErrors) == a(2))
        #expect(v[.routeErrors].summary.contains("host unreachable"))
    }

    @Test func portUnreachableIsNotARoutingError() throws {
        let frames = [
            Frame.eth(Addr.host1MAC, Addr.host2MAC, request),
            Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.ipv4(src: Addr.c2, dst: Addr.c1, proto: 1, id: 0x0602, Frame.icmpError(type: 3, code: 3, quoting: request))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
        #expect(v.cited(.routeErrors).isEmpty)
        #expect(v[.routeErrors].summary.contains("1 port-unreachable"))
        #expect(v[.routeErrors].observed.count == 1)
    }

    @Test func samePacketThreeTimesWithFallingTTLIsALoop() throws {
        let frames = [64, 63, 62].map { ttl in
            Frame.eth(Addr.host1MAC, Addr.routerMAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0700, ttl: UInt8(ttl)))
        }
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .fail, "\(v.digest)")
        #expect(v.cited(.routeErrors) == a(3))
        #expect(v[.routeErrors].evidence.first?.detail.contains("first at frame 1") == true)
    }

    @Test func samePacketTwiceWithFallingTTLIsNotYetALoop() throws {
        let frames = [64, 63].map { ttl in
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0700, ttl: UInt8(ttl)))
        }
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
    }

    @Test func timeExceededAndRedirectAboutContainerTrafficFail() throws {
        let frames = [
            Frame.eth(Addr.host1MAC, Addr.routerMAC, request),
            Frame.eth(Addr.routerMAC, Addr.host1MAC, Frame.ipv4(src: Addr.router, dst: Addr.c1, proto: 1, id: 0x0603, Frame.icmpError(type: 11, code: 0, quoting: request))),
            Frame.eth(Addr.routerMAC, Addr.host1MAC, Frame.ipv4(src: Addr.router, dst: Addr.host1, proto: 1, id: 0x0604, Frame.icmpError(type: 5, code: 1, rest: 0xC0A8_3878, quoting: request))),
        ]
        let v = try Lab.verify(plan: planYAML(extra: coreRouter()), frames: frames)
        #expect(v.status(.routeErrors) == .fail, "\(v.digest)")
        #expect(v.cited(.routeErrors) == a(2, 3))
    }

    @Test func unreachableAboutHostTrafficOnlyIsNotAContainerError() throws {
        let hostPacket = Frame.udpPacket(Addr.host1, 5000, Addr.host3, 53, id: 0x0605)
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80)),
            Frame.eth(Addr.routerMAC, Addr.host1MAC, Frame.ipv4(src: Addr.router, dst: Addr.host1, proto: 1, id: 0x0606, Frame.icmpError(type: 3, code: 1, quoting: hostPacket))),
        ]
        let v = try Lab.verify(plan: planYAML(extra: coreRouter()), frames: frames)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
    }
}

/// Real hosts see traceroute/mtr between containers and ICMP from internet routers: diagnostics
/// and errors about destinations outside the plan are counted, never failed.
@Suite struct RouteErrorDiagnosticsEdgeTests {
    func timeExceeded(quoting packet: [UInt8], id: Int) -> [UInt8] {
        Frame.eth(Addr.host1MAC, Addr.c1MAC, Frame.ipv4(src: Addr.host1, dst: Addr.c1, proto: 1, id: id, Frame.icmpError(type: 11, code: 0, quoting: packet)))
    }

    @Test func tracerouteProbeAnswersAreDiagnostics() throws {
        let probe = Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 17, id: 0x0700, ttl: 1, Frame.udp(sp: 40000, dp: 33434, []))
        let frames = [Frame.eth(Addr.c1MAC, Addr.bridge1MAC, probe), timeExceeded(quoting: probe, id: 0x0701)]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
        #expect(v[.routeErrors].summary.contains("1 answers to traceroute/mtr probes (diagnostics)"))
    }

    /// mtr's ICMP mode: echo requests with rising TTL; a lone echo request dying is an error.
    @Test func echoProbesWithRisingTTLAreDiagnosticsALoneOneIsNot() throws {
        let echo = { (ttl: UInt8, id: Int) in Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: id, ttl: ttl, Frame.icmpEcho(id: 7, seq: id)) }
        let rising = [Frame.eth(Addr.c1MAC, Addr.bridge1MAC, echo(1, 1)), timeExceeded(quoting: echo(1, 1), id: 0x0702),
                      Frame.eth(Addr.c1MAC, Addr.bridge1MAC, echo(2, 2))]
        let v = try Lab.verify(plan: planYAML(), frames: rising)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
        let lone = [Frame.eth(Addr.c1MAC, Addr.bridge1MAC, echo(1, 1)), timeExceeded(quoting: echo(1, 1), id: 0x0703)]
        let w = try Lab.verify(plan: planYAML(), frames: lone)
        #expect(w.status(.routeErrors) == .fail, "\(w.digest)")
    }

    @Test func errorsAboutDestinationsOutsideThePlanAreNotJudged() throws {
        let out = Frame.ipv4(src: Addr.c1, dst: "198.51.100.77", proto: 1, id: 0x0704, Frame.icmpEcho(id: 9, seq: 1))
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, out),
            Frame.eth(Addr.routerMAC, Addr.host1MAC, Frame.ipv4(src: Addr.router, dst: Addr.c1, proto: 1, id: 0x0705, Frame.icmpError(type: 3, code: 1, quoting: out))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
        #expect(v[.routeErrors].summary.contains("1 ICMP errors about destinations outside the plan, not judged"))
    }
}
