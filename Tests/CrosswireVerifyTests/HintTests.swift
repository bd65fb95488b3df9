// Every failing or warning check ends with its likely cause and fix (Wording/):
// the lab's scenarios and small captures, asserting the hint names the subnet,
// host and value the evidence and the plan give.

import CrosswireVerdict
import Testing

@Suite struct HintScenarioTests {
    func hint(_ scenario: String, _ id: CheckID) throws -> String {
        let (_, v) = try verifyScenario(scenario)
        return try #require(v[id].hint, "no hint for \(id) in \(scenario): \(v.digest)")
    }

    @Test func masqueradeNamesTheRuleToDeleteAndDaemonJSON() throws {
        let h = try hint("02-static-masquerade", .natSource)
        #expect(h.contains("192.168.10.2 → 192.168.56.119"))
        #expect(h.contains("`iptables -t nat -D POSTROUTING -s 192.168.10.0/24 ! -o docker0 -j MASQUERADE`"))
        #expect(h.contains("\"ip-masq\": false"))
        #expect(h.contains("on host1"))
    }

    @Test func unpublishedPortNamesThePublishEntry() throws {
        let h = try hint("04-port-unpublished", .natDestination)
        #expect(h.contains("192.168.56.120:8080 → 192.168.20.2:80"))
        #expect(h.contains("- { host: host2, port: 8080, protocol: tcp, to: 192.168.20.2:80 }"))
        #expect(h.contains("-p 8080:80"))
    }

    @Test func vxlanMTUMistakeNamesTheMTUToSet() throws {
        let h = try hint("12-vxlan-mtu-mistake", .encapMTU)
        #expect(h.contains("daemon.json `\"mtu\": 1450`"))
        #expect(h.contains("FLANNEL_MTU=1450"))
        #expect(h.contains("veth_mtu: \"1450\""))
        #expect(h.contains("`transport.mtu` 1500 to 1450"))
        #expect(h.contains("mtu 1550"))
    }

    @Test func overheadNamesTheRatioTheCapturesNeed() throws {
        let h = try hint("11-vxlan-4789", .encapOverhead)
        #expect(h.contains("max_overhead_ratio: 0.16"))
        #expect(h.contains("IP-in-IP, 20 bytes"))
    }

    @Test func wrongRouteNamesTheIPRouteReplace() throws {
        let h = try hint("14-wrong-route", .routeNextHop)
        #expect(h.contains("`ip route replace 192.168.20.0/24 via 192.168.56.120` on host1"))
        #expect(h.contains("host3"))
    }

    @Test func unreachableUnderOSPFNamesTheMissingRoute() throws {
        let h = try hint("07-ospf-hello-mismatch", .routeErrors)
        #expect(h.contains("host1 has no route to 192.168.20.0/24"))
        #expect(h.contains("OSPF"))
        #expect(h.contains("`ip route add 192.168.20.0/24 via 192.168.56.120` on host1"))
    }

    @Test func helloMismatchNamesThePlannedIntervals() throws {
        let h = try hint("07-ospf-hello-mismatch", .ospfAdjacency)
        #expect(h.contains("host2"))
        #expect(h.contains("`hello 2; dead 8;`"))
        #expect(h.contains("`ip ospf hello-interval 2`"))
    }

    @Test func bgpLeakNamesTheExportFilter() throws {
        for scenario in ["09-bgp-extra-prefix", "29-bgp-leak-withdrawn"] {
            let h = try hint(scenario, .bgpRoutes)
            #expect(h.contains("host2 exports 192.168.99.0/24"))
            #expect(h.contains("export where net = 192.168.20.0/24;"))
        }
    }

    @Test func md5MismatchNamesThePassword() throws {
        let h = try hint("27-bgp-md5-mismatch", .bgpSession)
        #expect(h.contains("MD5"))
        #expect(h.contains("password"))
        #expect(h.contains("host1") && h.contains("host2"))
    }

    @Test func holdTimerExpiredNamesThePair() throws {
        let h = try hint("28-bgp-hold-timer-expired", .bgpSession)
        #expect(h.contains("KEEPALIVE"))
        #expect(h.contains("host1 and host2"))
    }

    @Test func plainTrafficWhereVXLANIsPlannedNamesTheBackend() throws {
        let h = try hint("47-vxlan-planned-plain", .encapMode)
        #expect(h.contains("host-gw"))
        #expect(h.contains("CrossSubnet"))
    }

    @Test func bridgedPlanWithRoutedContainersNamesUnderlay() throws {
        let (_, v) = try verifyScenario("16-solution1-planned-bridged")
        #expect(v[.planValid].hint?.contains("192.168.56.0/24") == true)
        #expect(v[.routeNextHop].hint?.contains("core (192.168.56.1)") == true)
    }

    @Test func handoverNamesBothMACs() throws {
        let h = try hint("49-garp-handover", .arpConflict)
        #expect(h.contains("02:42:c0:a8:14:02") && h.contains("02:42:c0:a8:14:03"))
        #expect(h.contains("keepalived"))
    }

    @Test func cutBGPMessagesAskForWholeFrames() throws {
        let (_, v) = try verifyScenario("30-bgp-snaplen-96")
        #expect(v[.bgpSession].hint?.contains("`tcpdump -s 0`") == true, "\(v.digest)")
        #expect(v[.bgpRoutes].hint?.contains("`tcpdump -s 0`") == true)
    }

    @Test func routesNotSeenAskForTheTablesAgain() throws {
        let (_, v) = try verifyScenario("31-bgp-mid-session-update")
        #expect(v[.bgpRoutes].hint?.contains("birdc reload out") == true, "\(v.digest)")
    }

    /// Passing and skipped checks never carry a hint; every fail and warn of the lab does.
    @Test(arguments: Repo.scenarios)
    func onlyFailAndWarnHaveHints(_ scenario: String) throws {
        let (_, v) = try verifyScenario(scenario)
        for c in v.checks {
            if c.status == .pass || c.status == .skip { #expect(c.hint == nil, "\(scenario) \(c.id)") }
            else { #expect(c.hint != nil, "\(scenario) \(c.id) \(c.status) has no hint") }
        }
    }
}

@Suite struct HintEdgeTests {
    @Test func wrongVNIAndPortNameFlannelsBackend() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(vni: 2, port: 4789, innerEthernet())])
        let h = try #require(v[.encapMode].hint, "\(v.digest)")
        #expect(h.contains("VNI 2, planned 1"))
        #expect(h.contains("UDP port 4789, planned 8472"))
        #expect(h.contains("\"VNI\": 1, \"Port\": 8472"))
    }

    @Test func tunnelWhereThePlanRoutesNamesHostGW() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80)), Frame.vxlanFrame(innerEthernet())]
        let v = try Lab.verify(plan: planYAML(mode: "routed"), frames: frames)
        let h = try #require(v[.encapMode].hint, "\(v.digest)")
        #expect(h.contains("host-gw") && h.contains("transport.mode: vxlan"))
    }

    @Test func tunnelToAnotherHostNamesTheStaleEntry() throws {
        let frames = [
            Frame.vxlanFrame(outerSrc: Addr.host1, outerDst: Addr.host2, innerEthernet()),
            Frame.vxlanFrame(outerSrc: Addr.host2, outerDst: Addr.host1, srcMAC: Addr.host2MAC, dstMAC: Addr.host1MAC, id: 0x0202, innerEthernet(id: 0x0779)),
        ]
        let v = try Lab.verify(plan: vxlanPlan, frames: frames)
        let h = try #require(v[.encapVTEP].hint, "\(v.digest)")
        #expect(h.contains("host2 tunnels 192.168.20.0/24 (host2's containers) to host1 (192.168.56.119)"))
        #expect(h.contains("bridge fdb show dev flannel.1"))
    }

    @Test func mssAboveThePathNamesTheMTU() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [PlannedTunnelEdgeTests().syn(mss: 1460)])
        #expect(v.status(.encapMTU) == .warn, "\(v.digest)")
        #expect(v[.encapMTU].hint?.contains("`\"mtu\": 1450`") == true)
    }

    @Test func fragmentationNeededOnARoutedPathNamesTheReportedMTU() throws {
        let big = Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0a0a, seq: 5000, payload: Array(repeating: 0x41, count: 1460))
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, big),
            Frame.eth(Addr.bridge1MAC, Addr.c1MAC, Frame.ipv4(src: "192.168.10.1", dst: Addr.c1, proto: 1, id: 0x0b0b, Frame.icmpError(type: 3, code: 4, rest: 1400, quoting: big))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        let h = try #require(v[.encapMTU].hint, "\(v.digest)")
        #expect(h.contains("carries only 1400 bytes") && h.contains("`\"mtu\": 1400`"))
        #expect(!h.contains("raise the underlay"), "no tunnel: nothing to grow")
    }

    @Test func wrongASNAndHoldTimeNameBirdsSettings() throws {
        var v = try Lab.verify(plan: bgpPlan, frames: BGPSession(host1AS: 65000).frames)
        #expect(v[.bgpSession].hint?.contains("`local as 64512;`") == true, "\(v.digest)")
        v = try Lab.verify(plan: bgpPlan, frames: BGPSession(host2Hold: 180).frames)
        #expect(v[.bgpSession].hint?.contains("`hold time 90;`") == true, "\(v.digest)")
    }

    @Test func ceaseAndMissingOpensWarnWithAHint() throws {
        var s = BGPSession()
        s.send(host1: false, Frame.bgpNotification(code: 6, subcode: 2))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .warn)
        #expect(v[.bgpSession].hint?.contains("administrative end") == true)
    }

    @Test func unansweredSYNsWithoutMD5NameTheListener() throws {
        let v = try Lab.verify(plan: bgpPlan, frames: [Frame.bgpSYN(md5: false), Frame.bgpSYN(md5: false, seq: 2000)])
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v[.bgpSession].hint?.contains("sport = :179") == true)
    }

    @Test func dbdMTUMismatchNamesTheLink() throws {
        let t = OSPFAdjacencyEdgeTests()
        let v = try Lab.verify(plan: t.ospfPlan, frames: [t.hello(true), t.hello(false), t.dbd(true, mtu: 1500), t.dbd(false, mtu: 1450)])
        let h = try #require(v[.ospfAdjacency].hint, "\(v.digest)")
        #expect(h.contains("1500") && h.contains("1450") && h.contains("mtu-ignore"))
    }

    @Test func singleOSPFRouterNamesTheNeighbourInterface() throws {
        let t = OSPFAdjacencyEdgeTests()
        let v = try Lab.verify(plan: t.ospfPlan, frames: [t.hello(true), t.hello(true)])
        #expect(v[.ospfAdjacency].hint?.contains("-p 89") == true, "\(v.digest)")
    }

    @Test func arpConflictNamesBothMACs() throws {
        let claimed = "192.168.56.50", macA = "02:00:00:00:00:0a", macB = "02:00:00:00:00:0b"
        let frames = [
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: macB, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .fail, "\(v.digest)")
        let h = try #require(v[.arpConflict].hint)
        #expect(h.contains(macA) && h.contains(macB) && h.contains("keepalived"))
    }

    @Test func hostUnreachableNamesTheRouteToAdd() throws {
        let request = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 53, id: 0x0600)
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, request),
            Frame.eth(Addr.bridge1MAC, Addr.c1MAC, Frame.ipv4(src: Addr.host1, dst: Addr.c1, proto: 1, id: 0x0601, Frame.icmpError(type: 3, code: 1, quoting: request))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v[.routeErrors].hint == "host1 has no route to 192.168.20.0/24 (host2's containers): `ip route add 192.168.20.0/24 via 192.168.56.120` on host1")
    }

    @Test func prohibitedNamesDockerUser() throws {
        let request = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 53, id: 0x0600)
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, request),
            Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.ipv4(src: Addr.host2, dst: Addr.c1, proto: 1, id: 0x0601, Frame.icmpError(type: 3, code: 13, quoting: request))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v[.routeErrors].hint?.contains("`iptables -I DOCKER-USER -s 192.168.10.0/24 -d 192.168.20.0/24 -j ACCEPT`") == true, "\(v.digest)")
        #expect(v[.routeErrors].hint?.contains("on host2") == true)
    }

    @Test func overlappingContainersNameBip() throws {
        let yaml = planYAML().replacingOccurrences(of: "192.168.20.0/24", with: "192.168.10.128/25")
        let v = try Lab.verify(plan: yaml, frames: [])
        #expect(v.status(.planValid) == .fail)
        #expect(v[.planValid].hint?.contains("`bip`") == true, "\(v.digest)")
        #expect(v[.planValid].hint?.contains("192.168.10.128/25") == true)
    }

    /// host1's address opening a connection to host2's container, seen only behind a router: nothing decides.
    @Test func singlePointMasqueradeNamesTheBridgeToCapture() throws {
        let frames = [
            Frame.eth(Addr.routerMAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 51000, Addr.c2, 80, id: 0x0002, ttl: 62, seq: 5000, flags: .syn, payload: [])),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natSource) == .warn)
        #expect(v[.natSource].hint?.contains("capture host1's container bridge") == true, "\(v.digest)")
    }

    /// Leaving host1's NIC with host1's address and a forwarded TTL: host1's MASQUERADE, and the rule to delete.
    @Test func masqueradeProvenByTTLNamesTheRule() throws {
        let frames = [
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 51000, Addr.c2, 80, id: 0x0002, ttl: 63, seq: 5000, flags: .syn, payload: [])),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.natSource) == .fail)
        #expect(v[.natSource].hint?.contains("-s 192.168.10.0/24 ! -o docker0 -j MASQUERADE") == true, "\(v.digest)")
    }

    @Test func masqueradeToAForeignAddressNamesSNAT() throws {
        let inside = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))
        let outside = Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket("192.168.56.50", 51000, Addr.c2, 80, ttl: 63))
        let v = try Lab.verify(plan: planYAML(nat: "masquerade"), [Capture("a.pcap", [inside]), Capture("b.pcap", [outside])])
        #expect(v[.natSource].hint?.contains("--to-source 192.168.56.50") == true, "\(v.digest)")
    }
}
