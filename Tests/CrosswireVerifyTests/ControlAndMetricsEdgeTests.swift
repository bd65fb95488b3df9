// ospf.adjacency, arp.conflict and the verdict's metrics and JSON shape on
// small captures (docs/CHECKS.md, contract §3–§4).

import CrosswireVerdict
import Foundation
import Testing

@Suite struct OSPFAdjacencyEdgeTests {
    let ospfPlan = planYAML(routing: ["protocol: ospf"])

    func hello(_ host1: Bool, hello: Int = 10, dead: UInt32 = 40, neighbours: [String] = [], dr: String = "0.0.0.0", bdr: String = "0.0.0.0") -> [UInt8] {
        let (ip, mac) = host1 ? (Addr.host1, Addr.host1MAC) : (Addr.host2, Addr.host2MAC)
        return Frame.ospfFrame(src: ip, srcMAC: mac, Frame.ospfHello(routerID: ip, hello: hello, dead: dead, neighbours: neighbours, dr: dr, bdr: bdr))
    }

    func dbd(_ host1: Bool, mtu: Int = 1500) -> [UInt8] {
        let (ip, mac) = host1 ? (Addr.host1, Addr.host1MAC) : (Addr.host2, Addr.host2MAC)
        return Frame.ospfFrame(src: ip, srcMAC: mac, Frame.ospfDBD(routerID: ip, mtu: mtu))
    }

    @Test func twoRoutersAgreeingWithDatabaseExchangePass() throws {
        let frames = [hello(true), hello(false, neighbours: [Addr.host1]), hello(true, neighbours: [Addr.host2]), dbd(true), dbd(false)]
        let v = try Lab.verify(plan: planYAML(routing: ["protocol: ospf", "ospf: { area: 0.0.0.0, hello_interval: 10, dead_interval: 40 }"]), frames: frames)
        #expect(v.status(.ospfAdjacency) == .pass, "\(v.digest)")
        #expect(v.cited(.ospfAdjacency).isEmpty)
        #expect(v.ospfAdjacencies.map(\.state) == [.present, .present])
    }

    @Test func helloIntervalMismatchFails() throws {
        let frames = [hello(true), hello(false, hello: 5)]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v.cited(.ospfAdjacency) == a(1, 2))
        #expect(v[.ospfAdjacency].summary.contains("disagree on hello: host1 (192.168.56.119)=10, host2 (192.168.56.120)=5"))
    }

    @Test func helloIntervalOtherThanPlannedFails() throws {
        let frames = [hello(true, hello: 30, dead: 120), hello(false, hello: 30, dead: 120), dbd(true), dbd(false)]
        let v = try Lab.verify(plan: planYAML(routing: ["protocol: ospf", "ospf: { hello_interval: 10 }"]), frames: frames)
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v.cited(.ospfAdjacency) == a(1, 2))
    }

    @Test func dbdMTUMismatchFails() throws {
        let frames = [hello(true), hello(false), dbd(true, mtu: 1500), dbd(false, mtu: 1450)]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v.cited(.ospfAdjacency) == a(3, 4))
    }

    @Test func twoRoutersWithoutDatabaseExchangeFail() throws {
        let v = try Lab.verify(plan: ospfPlan, frames: [hello(true), hello(false)])
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary.contains("do not list each other (no neighbour listed)"))
    }

    /// A capture started after Full (RFC 2328 §10.5): Hellos listing each other, a DR named, no DBD.
    @Test func steadyStateHellosListingEachOtherPass() throws {
        let frames = [
            hello(true, neighbours: [Addr.host2], dr: Addr.host1, bdr: Addr.host2),
            hello(false, neighbours: [Addr.host1], dr: Addr.host1, bdr: Addr.host2),
        ]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .pass, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary.contains("2-Way (from Hellos)"))
        #expect(v[.ospfAdjacency].summary.contains("DBD not seen, MTU not compared"))
        #expect(v.ospfAdjacencies.map(\.state) == [.present, .present])
    }

    @Test func steadyStateWithoutDRFails() throws {
        let v = try Lab.verify(plan: ospfPlan, frames: [hello(true, neighbours: [Addr.host2]), hello(false, neighbours: [Addr.host1])])
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary.contains("no DR elected"))
    }

    @Test func oneWayHellosWithoutExchangeFail() throws {
        let v = try Lab.verify(plan: ospfPlan, frames: [hello(true, neighbours: [Addr.host2], dr: Addr.host1), hello(false, dr: Addr.host1)])
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
    }

    @Test func helloOfASingleRouterWarns() throws {
        let v = try Lab.verify(plan: ospfPlan, frames: [hello(true), hello(true)])
        #expect(v.status(.ospfAdjacency) == .warn, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary.contains("host1"))
    }

    @Test func noOSPFSkips() throws {
        let v = try Lab.verify(plan: ospfPlan, frames: [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))])
        #expect(v.status(.ospfAdjacency) == .skip)
        #expect(v.status(.ospfRoutes) == .skip)
        #expect(v[.ospfAdjacency].summary.contains("no OSPF"))
    }
}

@Suite struct ARPConflictEdgeTests {
    let claimed = "192.168.56.50"
    let macA = "02:00:00:00:00:0a", macB = "02:00:00:00:00:0b", macC = "02:00:00:00:00:0c"

    @Test func oneAddressClaimedByTwoMACsFailsCitingBoth() throws {
        let frames = [
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: Addr.host1MAC, senderIP: Addr.host1, targetMAC: macA, targetIP: claimed),
            Frame.arp(op: 2, senderMAC: macB, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .fail, "\(v.digest)")
        #expect(v.cited(.arpConflict) == a(1, 3))
        #expect(v[.arpConflict].summary.contains(claimed))
    }

    /// VRRP/keepalived failover or an address reused after a restart: the old MAC stops, the new
    /// one starts (gratuitous ARP). A warn naming both, never a fail.
    @Test func anAddressMovingToANewMACIsAHandover() throws {
        let frames = [
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 1, senderMAC: macB, senderIP: claimed, targetMAC: "00:00:00:00:00:00", targetIP: claimed),
            Frame.arp(op: 2, senderMAC: macB, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .warn, "\(v.digest)")
        #expect(v.cited(.arpConflict) == a(1, 3))
        #expect(v[.arpConflict].summary.contains("\(claimed) moved: \(macA) from a.pcap frame 1, then \(macB) from a.pcap frame 3"))
    }

    /// Two capture points of one segment are read one after the other: the handover seen at
    /// both is still a handover, judged by time, not by the order the files are read in.
    @Test func aHandoverSeenAtTwoPointsIsNotAConflict() throws {
        let handover = [
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
            Frame.arp(op: 2, senderMAC: macB, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
        let v = try Lab.verify(plan: planYAML(), [Capture("a.pcap", handover), Capture("b.pcap", handover)])
        #expect(v.status(.arpConflict) == .warn, "\(v.digest)")
    }

    @Test func probesFromZeroAddressAreIgnored() throws {
        let frames = [
            // RFC 5227 probes: sender 0.0.0.0, from two different MACs.
            Frame.arp(op: 1, senderMAC: macB, senderIP: "0.0.0.0", targetMAC: "00:00:00:00:00:00", targetIP: claimed),
            Frame.arp(op: 1, senderMAC: macC, senderIP: "0.0.0.0", targetMAC: "00:00:00:00:00:00", targetIP: claimed),
            Frame.arp(op: 2, senderMAC: macA, senderIP: claimed, targetMAC: Addr.host1MAC, targetIP: Addr.host1),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .pass, "\(v.digest)")
        #expect(v.cited(.arpConflict).isEmpty)
        #expect(v[.arpConflict].summary.hasPrefix("1 addresses claimed in 3 ARP messages"))
    }

    @Test func noARPSkips() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))])
        #expect(v.status(.arpConflict) == .skip)
    }
}

@Suite struct VerdictShapeEdgeTests {
    /// The check ids of the contract (§3), in its order.
    static let contractOrder = [
        "plan.valid", "nat.source", "nat.destination", "encap.mode", "encap.overhead", "encap.mtu", "encap.vtep",
        "route.nexthop", "route.errors", "bgp.session", "bgp.routes", "ospf.adjacency", "ospf.routes", "arp.conflict",
        "path.delivery", "encap.checksum", "flow.answered", "route.symmetry",
    ]

    func twoCaptures() -> [Capture] {
        let packet = Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80)
        return [
            Capture("a.pcap", [
                Frame.arp(op: 1, senderMAC: Addr.host1MAC, senderIP: Addr.host1, targetMAC: "00:00:00:00:00:00", targetIP: Addr.host2),
                Frame.eth(Addr.c1MAC, Addr.bridge1MAC, packet),
                Frame.vxlanFrame(innerEthernet()),
            ]),
            Capture("b.pcap", [Frame.eth(Addr.host1MAC, Addr.host2MAC, packet), Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.udpPacket(Addr.host1, 123, Addr.host2, 123))]),
        ]
    }

    @Test func packetsCountEveryFrameOfEveryCapture() throws {
        let v = try Lab.verify(plan: planYAML(), twoCaptures())
        #expect(v.metrics.packets == 5)
        #expect(v.captures.map(\.packets) == [3, 2])
        #expect(v.captures.map(\.path) == ["a.pcap", "b.pcap"])
        #expect(v.captures.allSatisfy { $0.linktype == "EN10MB" })
    }

    /// Host pairs per direction, in a small plan and in one of 302 nodes, whose last routers lie
    /// past the pair matrix (TrafficAnalyser.matrixNodes) and are counted apart.
    @Test(arguments: [0, 300])
    func hostPairsCountEachDirectionAndOutsideThePlan(routers: Int) throws {
        func routerAddress(_ i: Int) -> String { "10.9.\(i / 250).\(i % 250 + 1)" }
        let extra = routers == 0 ? [] : ["routers:"] + (0..<routers).flatMap { ["  - name: r\($0)", "    address: \(routerAddress($0))"] }
        let far = routers == 0 ? Addr.router : routerAddress(routers - 1)
        let there = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 53), back = Frame.udpPacket(Addr.c2, 53, Addr.c1, 5000, payload: [1, 2])
        let frames = [
            Frame.eth(Addr.host1MAC, Addr.host2MAC, there),
            Frame.eth(Addr.host2MAC, Addr.host1MAC, back),
            Frame.eth(Addr.host2MAC, Addr.host1MAC, back),
            Frame.eth(Addr.host1MAC, Addr.routerMAC, Frame.udpPacket(Addr.host1, 123, far, 123)),
            Frame.eth(Addr.routerMAC, Addr.host1MAC, Frame.udpPacket("8.8.8.8", 53, Addr.c1, 5000)),
        ]
        let v = try Lab.verify(plan: planYAML(extra: extra), frames: frames)
        let farName = routers == 0 ? "outside" : "r\(routers - 1)"
        let pairs = v.metrics.hostPairs.map { "\($0.from)>\($0.to) \($0.packets) \($0.bytes)" }
        let expected = [
            "host1>host2 1 \(frames[0].count)", "host1>\(farName) 1 \(frames[3].count)",
            "host2>host1 2 \(frames[1].count * 2)", "outside>host1 1 \(frames[4].count)",
        ]
        #expect(pairs.sorted() == expected.sorted())
    }

    @Test func jsonHasEveryCheckOnceInTheContractsOrder() throws {
        let v = try Lab.verify(plan: planYAML(), twoCaptures())
        let json = try #require(try JSONSerialization.jsonObject(with: v.jsonData()) as? [String: Any])
        let checks = try #require(json["checks"] as? [[String: Any]])
        let ids = checks.compactMap { $0["id"] as? String }
        #expect(ids == Self.contractOrder)
        #expect(Set(ids).count == ids.count)
        for c in checks {
            #expect(["pass", "fail", "warn", "skip"].contains(c["status"] as? String ?? ""))
            #expect(!(c["summary"] as? String ?? "").isEmpty)
        }
        let metrics = try #require(json["metrics"] as? [String: Any])
        #expect(metrics["packets"] as? Int == 5)
        let encapsulation = try #require(metrics["encapsulation"] as? [[String: Any]])
        #expect(encapsulation.count == 1)
        #expect(encapsulation.first?["kind"] as? String == "vxlan")
        #expect(encapsulation.first?["overhead_bytes_per_packet"] as? Double == 50)
    }
}
