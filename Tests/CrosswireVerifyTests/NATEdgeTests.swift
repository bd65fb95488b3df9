// nat.source and nat.destination on small captures (docs/CHECKS.md): a
// translation is proven by the same packet (IP id, TCP sequence, payload)
// seen at two capture points; one point can only make it suspect.
//
// a.pcap is host1's side (its container bridge, or its NIC before the
// translation), b.pcap the far side of the translation.

import CrosswireVerdict
import Testing

@Suite struct NATEdgeTests {
    /// The packet container 192.168.10.2:40000 → 192.168.20.2:80 leaving host1's bridge (a.pcap frame 1).
    let inside = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))

    /// The same packet (same IP id, sequence, payload) as b.pcap sees it, from `src:sp`.
    func outside(src: String = Addr.c1, sp: Int = 40000, ttl: UInt8 = 63) -> [UInt8] {
        Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(src, sp, Addr.c2, 80, ttl: ttl))
    }

    @Test func samePacketUnchangedAtTwoPointsPasses() throws {
        let v = try Lab.verify(plan: planYAML(), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside()])])
        #expect(v.status(.natSource) == .pass, "\(v.digest)")
        #expect(v.status(.natDestination) == .pass)
        #expect(v.cited(.natSource).isEmpty)
        #expect(v[.natSource].summary.contains("1 packets matched across 2 capture points"))
    }

    @Test func sourceRewrittenToTheHostFailsWithoutNAT() throws {
        let v = try Lab.verify(plan: planYAML(nat: "none"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside(src: Addr.host1, sp: 51000)])])
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v.cited(.natSource) == a(1) + b(1))
        #expect(v[.natSource].summary.contains("192.168.10.2:40000"))
        #expect(v[.natSource].summary.contains("192.168.56.119:51000"))
        #expect(v.status(.natDestination) == .pass)
    }

    @Test func sourceRewrittenToTheOwnerHostPassesUnderMasquerade() throws {
        let v = try Lab.verify(plan: planYAML(nat: "masquerade"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside(src: Addr.host1, sp: 51000)])])
        #expect(v.status(.natSource) == .pass, "\(v.digest)")
        #expect(v.cited(.natSource).isEmpty)
        #expect(v[.natSource].observed.contains { $0.hasPrefix("masqueraded as planned") })
    }

    @Test func masqueradeToAnotherAddressFails() throws {
        let v = try Lab.verify(plan: planYAML(nat: "masquerade"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside(src: "192.168.56.50", sp: 51000)])])
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v.cited(.natSource) == a(1) + b(1))
    }

    /// host1's container opens host2:8080; host2 delivers it to 192.168.20.2:80 (and, in
    /// `withReply`, answers: the reply's source is rewritten back to host2:8080).
    func publishedConnection(withReply: Bool) -> [Capture] {
        var atHost1 = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.host2, 8080, id: 0x1111, seq: 7000, flags: .syn, payload: []))]
        var atHost2 = [Frame.eth(Addr.bridge2MAC, Addr.c2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x1111, ttl: 63, seq: 7000, flags: .syn, payload: []))]
        if withReply {
            atHost2.append(Frame.eth(Addr.c2MAC, Addr.bridge2MAC, Frame.tcpPacket(Addr.c2, 80, Addr.c1, 40000, id: 0x2222, seq: 9000, ack: 7001, flags: [.syn, .ack], payload: [])))
            atHost1.append(Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.tcpPacket(Addr.host2, 8080, Addr.c1, 40000, id: 0x2222, ttl: 63, seq: 9000, ack: 7001, flags: [.syn, .ack], payload: [])))
        }
        return [Capture("a.pcap", atHost1), Capture("b.pcap", atHost2)]
    }

    let publish = ["publish:", "  - { host: host2, port: 8080, protocol: tcp, to: 192.168.20.2:80 }"]

    @Test func publishedDestinationNATPasses() throws {
        let v = try Lab.verify(plan: planYAML(extra: publish), publishedConnection(withReply: false))
        #expect(v.status(.natDestination) == .pass, "\(v.digest)")
        #expect(v.cited(.natDestination).isEmpty)
        #expect(v[.natDestination].observed.contains { $0.hasPrefix("published: 192.168.56.120:8080 → 192.168.20.2:80") })
        #expect(v.status(.natSource) == .pass)
    }

    @Test func unpublishedDestinationNATFails() throws {
        let v = try Lab.verify(plan: planYAML(), publishedConnection(withReply: false))
        #expect(v.status(.natDestination) == .fail, "\(v.digest)")
        #expect(v.cited(.natDestination) == a(1) + b(1))
        #expect(v.status(.natSource) == .pass)
    }

    @Test func replyOfPublishedDNATIsNotSourceNAT() throws {
        let v = try Lab.verify(plan: planYAML(extra: publish), publishedConnection(withReply: true))
        #expect(v.status(.natSource) == .pass, "\(v.digest)")
        #expect(v.cited(.natSource).isEmpty)
        #expect(v.status(.natDestination) == .pass)
    }

    @Test func natAllowedSkipsBoth() throws {
        let v = try Lab.verify(plan: planYAML(nat: "allowed"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside(src: Addr.host1, sp: 51000)])])
        #expect(v.status(.natSource) == .skip)
        #expect(v.status(.natDestination) == .skip)
        #expect(v[.natSource].summary.contains("nat: allowed"))
        #expect(v.cited(.natSource).isEmpty)
    }

    /// host1's address opening a connection to host2's container, as one point sees it.
    func hostSYN(from sourceMAC: String, ttl: UInt8) -> [UInt8] {
        Frame.eth(sourceMAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 51000, Addr.c2, 80, id: 0x0002, ttl: ttl, seq: 5000, flags: .syn, payload: []))
    }

    /// Masquerade seen only after translation: leaving host1's NIC (host1's MAC) with host1's
    /// address and TTL 63, which no sender starts with: host1 forwarded it and rewrote the source.
    @Test func hostAddressWithForwardedTTLAtItsNICFails() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [hostSYN(from: Addr.host1MAC, ttl: 63)])
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v.cited(.natSource) == a(1))
        #expect(v[.natSource].summary.contains("forwarded TTL (63): host1 translated them"))
    }

    /// The same with TTL 64: host1's own connection.
    @Test func hostAddressWithInitialTTLAtItsNICIsTheHostsOwn() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [hostSYN(from: Addr.host1MAC, ttl: 64)])
        #expect(v.status(.natSource) == .pass, "\(v.digest)")
    }

    /// Seen only behind a router (the router's MAC): no point decides, so it warns and says which would.
    @Test func hostAddressSeenOnlyBehindARouterWarns() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [hostSYN(from: Addr.routerMAC, ttl: 62)])
        #expect(v.status(.natSource) == .warn, "\(v.digest)")
        #expect(v.cited(.natSource) == a(1))
        #expect(v[.natSource].summary.contains("a capture on host1's container bridge decides"))
    }

    /// One point, a host talking to another host's containers while no container of its own
    /// does (the article's own test: host1 pings 192.168.20.2): not the translation pattern.
    @Test func singlePointHostTrafficAloneIsNotSuspect() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 51000, Addr.c2, 80, id: 0x0002, seq: 5000))]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natSource) == .pass, "\(v.digest)")
        #expect(v.cited(.natSource).isEmpty)
    }

    @Test func containerTrafficWithinOneHostSkipsSourceNAT() throws {
        let frames = [Frame.eth(Addr.c1MAC, "02:42:c0:a8:0a:03", Frame.tcpPacket(Addr.c1, 40000, "192.168.10.3", 80))]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natSource) == .skip, "\(v.digest)")
        #expect(v[.natSource].summary.contains("no cross-host container traffic"))
        #expect(v.status(.natDestination) == .pass)
    }

    /// Traffic to a host address is something nat.destination can judge (CHECKS.md: skip only
    /// when there is no traffic to a container or host address).
    @Test func trafficToAHostAddressOnlyIsJudgedForDestinationNAT() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 50022, Addr.host2, 22))]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natDestination) == .pass, "\(v.digest)")
        #expect(v.status(.natSource) == .skip)
    }

    @Test func noTrafficToPlannedAddressesSkipsDestinationNAT() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.routerMAC, Frame.udpPacket(Addr.host1, 123, "203.0.113.5", 123))]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natDestination) == .skip, "\(v.digest)")
    }
}

/// Contract 1.1's NAT scope: only translations between planned parties are judged; egress to
/// the internet is listed, a declared service range (kube-proxy) is intended, NAT66 is NAT.
@Suite struct NATScopeEdgeTests {
    let internet = "203.0.113.10"

    @Test func egressMasqueradeToTheInternetIsListedNotJudged() throws {
        let inside = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.udpPacket(Addr.c1, 40000, internet, 53))
        let outside = Frame.eth(Addr.host1MAC, Addr.routerMAC, Frame.udpPacket(Addr.host1, 40000, internet, 53, ttl: 63))
        let v = try Lab.verify(plan: planYAML(nat: "none"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside])])
        #expect(v.status(.natSource) != .fail, "\(v.digest)")
        #expect(v[.natSource].observed.contains { $0.hasPrefix("egress NAT, not judged: 192.168.10.2:40000 > 203.0.113.10:53") })
    }

    @Test func serviceDNATToAContainerIsIntended() throws {
        let plan = planYAML(extra: ["services: [10.96.0.0/12]"])
        let toService = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.udpPacket(Addr.c1, 40000, "10.96.0.10", 53))
        let toPod = Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.udpPacket(Addr.c1, 40000, Addr.c2, 53, ttl: 63))
        let v = try Lab.verify(plan: plan, [Capture("a.pcap", [toService]), Capture("b.pcap", [toPod])])
        #expect(v.status(.natDestination) == .pass, "\(v.digest)")
        #expect(v[.natDestination].summary.contains("1 packets of service DNAT (services), as planned"))
        // Without the services key, the same translation is undeclared.
        let w = try Lab.verify(plan: planYAML(), [Capture("a.pcap", [toService]), Capture("b.pcap", [toPod])])
        #expect(w.status(.natDestination) == .fail, "\(w.digest)")
    }
}
