// bgp.* and ospf.* on what real deployments put on the wire (issue 16,
// docs/CHECKS.md): OSPF links compared one by one, point-to-point links,
// default routes and ABR/ASBR summaries; BGP route reflectors, shared ASNs,
// loopback peering, mid-session captures and captures cut by the snaplen.

import CrosswireVerdict
import Testing

@Suite struct OSPFPerLinkTests {
    let ospfPlan = planYAML(routing: ["protocol: ospf"])
    /// A second link between the hosts (192.168.57.0/24); router ids stay the underlay addresses.
    static let link2 = (host1: "192.168.57.119", host2: "192.168.57.120")

    func hello(_ host1: Bool, src: String? = nil, mask: String = "255.255.255.0", hello: Int = 10, neighbours: [String] = [], dr: String = "0.0.0.0") -> [UInt8] {
        let (rid, mac) = host1 ? (Addr.host1, Addr.host1MAC) : (Addr.host2, Addr.host2MAC)
        return Frame.ospfFrame(src: src ?? rid, srcMAC: mac, Frame.ospfHello(routerID: rid, mask: mask, hello: hello, dead: 40, neighbours: neighbours, dr: dr))
    }

    func dbd(_ host1: Bool, src: String? = nil, mtu: Int) -> [UInt8] {
        let (rid, mac) = host1 ? (Addr.host1, Addr.host1MAC) : (Addr.host2, Addr.host2MAC)
        return Frame.ospfFrame(src: src ?? rid, srcMAC: mac, Frame.ospfDBD(routerID: rid, mtu: mtu))
    }

    /// Both links' Hellos (neighbours listed, DRs named), then `dbds`; frames 1–4 are the Hellos.
    func twoLinks(_ dbds: [[UInt8]]) -> [[UInt8]] {
        let l2 = Self.link2
        return [
            hello(true, neighbours: [Addr.host2], dr: Addr.host1), hello(false, neighbours: [Addr.host1], dr: Addr.host1),
            hello(true, src: l2.host1, neighbours: [Addr.host2], dr: l2.host1), hello(false, src: l2.host2, neighbours: [Addr.host1], dr: l2.host1),
        ] + dbds
    }

    /// RFC 2328 §10.6: MTUs are compared between the two ends of one link. 1500 on one
    /// link and 9000 on the other is fine (the old rule compared every router's last DBD).
    @Test func differentMTUsOnDifferentLinksPass() throws {
        let l2 = Self.link2
        let frames = twoLinks([dbd(true, mtu: 1500), dbd(false, src: l2.host2, mtu: 9000), dbd(false, mtu: 1500), dbd(true, src: l2.host1, mtu: 9000)])
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .pass, "\(v.digest)")
        #expect(v.ospfLinks.map(\.link) == ["192.168.56.0/24", "192.168.57.0/24"])
        #expect(v.ospfLinks.map(\.mtus) == [[1500], [9000]])
        #expect(v.ospfLinks.map(\.state) == ["exchange seen", "exchange seen"])
    }

    @Test func mtuMismatchOnOneLinkFailsNamingIt() throws {
        let l2 = Self.link2
        let frames = twoLinks([dbd(true, mtu: 1500), dbd(false, mtu: 1500), dbd(true, src: l2.host1, mtu: 9000), dbd(false, src: l2.host2, mtu: 1500)])
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary == "DBD interface MTUs differ on link 192.168.57.0/24 (a.pcap): host1 (192.168.56.119) 9000, host2 (192.168.56.120) 1500")
        #expect(v.cited(.ospfAdjacency) == a(7, 8))
    }

    /// Point-to-point and unnumbered links (mask 0.0.0.0 or /32) are one link per capture point:
    /// the two routers' intervals are compared (the old rule made each router its own segment).
    @Test(arguments: ["255.255.255.255", "0.0.0.0"])
    func pointToPointIntervalMismatchFails(mask: String) throws {
        let frames = [hello(true, src: "10.1.0.1", mask: mask), hello(false, src: "10.1.0.2", mask: mask, hello: 5)]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .fail, "\(v.digest)")
        #expect(v[.ospfAdjacency].summary.contains("routers on link point-to-point (a.pcap) disagree on hello"))
        #expect(v.cited(.ospfAdjacency) == a(1, 2))
    }

    /// RFC 2328 §10.5: no mask comparison and no DR on point-to-point links.
    @Test func pointToPointListingEachOtherPasses() throws {
        let frames = [
            hello(true, src: "10.1.0.1", mask: "255.255.255.255", neighbours: [Addr.host2]),
            hello(false, src: "10.2.0.1", mask: "0.0.0.0", neighbours: [Addr.host1]),
        ]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfAdjacency) == .pass, "\(v.digest)")
        #expect(v.ospfLinks.count == 1)
        #expect(v.ospfLinks.first?.state == "two-way")
    }

    /// 0.0.0.0/0 from an ASBR (type 5) is a default route, and a type-4 ASBR summary names a
    /// router (mask 0, RFC 2328 §12.4.3.1): neither overlaps a container subnet.
    @Test func defaultRouteAndASBRSummaryAreNoOverlap() throws {
        let external = ip4("0.0.0.0") + [0x80, 0, 0, 10] + ip4("0.0.0.0") + [0, 0, 0, 0]
        let asbrSummary = ip4("0.0.0.0") + [0, 0, 0, 1]
        let frames = [
            Frame.ospfFrame(src: Addr.host1, srcMAC: Addr.host1MAC, Frame.ospfLSU(
                routerID: Addr.host1, lsaType: 5, linkStateID: "0.0.0.0", advertisingRouter: Addr.host1, external)),
            Frame.ospfFrame(src: Addr.host2, srcMAC: Addr.host2MAC, Frame.ospfLSU(
                routerID: Addr.host2, lsaType: 4, linkStateID: "192.168.10.7", advertisingRouter: Addr.host2, asbrSummary)),
        ]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfRoutes) == .pass, "\(v.digest)")
        #expect(v[.ospfRoutes].summary.contains("default route from host1"))
        #expect(v.cited(.ospfRoutes).isEmpty)
    }

    /// RFC 2328 §12.4.3: an ABR summarises host2's subnet into another area (type 3).
    @Test func summaryOfAPlannedSubnetByAnABRPasses() throws {
        let summary = ip4("255.255.255.0") + [0, 0, 0, 20]
        let frames = [Frame.ospfFrame(src: Addr.host1, srcMAC: Addr.host1MAC, Frame.ospfLSU(
            routerID: Addr.host1, lsaType: 3, linkStateID: "192.168.20.0", advertisingRouter: Addr.host1, summary))]
        let v = try Lab.verify(plan: ospfPlan, frames: frames)
        #expect(v.status(.ospfRoutes) == .pass, "\(v.digest)")
    }
}

@Suite struct BGPDeploymentTests {
    /// Three hosts in one AS (Calico's iBGP), as `planYAML` writes two.
    static func threeHostPlan(asns: [Int], routerIDs: [String]? = nil) -> String {
        let hosts = [(Addr.host1, "192.168.10.0/24"), (Addr.host2, "192.168.20.0/24"), (Addr.host3, "192.168.30.0/24")]
        var lines = ["version: 1", "name: rr", "underlay:", "  mtu: 1500", "  subnet: 192.168.56.0/24", "hosts:"]
        for (i, h) in hosts.enumerated() {
            lines += ["  - name: host\(i + 1)", "    address: \(h.0)", "    containers: \(h.1)", "    asn: \(asns[i])"]
            if let routerIDs { lines.append("    router_id: \(routerIDs[i])") }
        }
        lines += ["transport:", "  mode: routed", "nat: none", "routing:", "  protocol: bgp"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// An iBGP session host1 (client port 50000) – host3 (179) with both OPENs (frames 1–5).
    static func session(_ a: (String, String), _ b: (String, String), asn: Int = 64512) -> (TCPConversation, [[UInt8]]) {
        var tcp = TCPConversation(client: (a.0, a.1, 50000), server: (b.0, b.1, 179))
        var frames = tcp.handshake()
        frames.append(tcp.send(fromClient: true, Frame.bgpOpen(asn: asn, holdTime: 90, identifier: a.0)))
        frames.append(tcp.send(fromClient: false, Frame.bgpOpen(asn: asn, holdTime: 90, identifier: b.0)))
        return (tcp, frames)
    }

    /// RFC 4456: the reflector host3 passes host2's route on unchanged (ORIGINATOR_ID host2,
    /// empty AS_PATH, host2's next hop): host2 originated it (the old rule said host3 did).
    @Test func routeReflectorPassingOnTheOwnersSubnetPasses() throws {
        var (tcp, frames) = Self.session((Addr.host1, Addr.host1MAC), (Addr.host3, Addr.host3MAC))
        frames.append(tcp.send(fromClient: true, Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.host1)))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.30.0/24"], nextHop: Addr.host3)))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.20.0/24"], nextHop: Addr.host2, originatorID: Addr.host2)))
        let v = try Lab.verify(plan: Self.threeHostPlan(asns: [64512, 64512, 64512]), frames: frames)
        #expect(v.status(.bgpRoutes) == .pass, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.prefix == "192.168.20.0/24" && $0.detail == "reflected from host2" })
    }

    /// A reflected route keeps its originator's next hop (RFC 4456 §8): any other is wrong.
    @Test func reflectedRouteWithAnotherNextHopFails() throws {
        var (tcp, frames) = Self.session((Addr.host1, Addr.host1MAC), (Addr.host3, Addr.host3MAC))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.20.0/24"], nextHop: Addr.host3, originatorID: Addr.host2)))
        let v = try Lab.verify(plan: Self.threeHostPlan(asns: [64512, 64512, 64512]), frames: frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.state == .wrongNextHop && $0.prefix == "192.168.20.0/24" })
        #expect(v.cited(.bgpRoutes) == a(6))
    }

    /// host1 and host2 share AS 64512; host3 (AS 64513) relays host2's subnet with path
    /// 64513 64512: of the AS's hosts, the prefix's owner originated it.
    @Test func sharedASNOriginIsThePrefixOwner() throws {
        var (tcp, frames) = Self.session((Addr.host1, Addr.host1MAC), (Addr.host3, Addr.host3MAC))
        frames.append(tcp.send(fromClient: true, Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.host1, asPath: [64512])))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.30.0/24"], nextHop: Addr.host3, asPath: [64513])))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.20.0/24"], nextHop: Addr.host3, asPath: [64513, 64512])))
        let v = try Lab.verify(plan: Self.threeHostPlan(asns: [64512, 64512, 64513]), frames: frames)
        #expect(v.status(.bgpRoutes) == .pass, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.prefix == "192.168.20.0/24" && $0.detail == "relayed from host2" })
    }

    /// Peering between loopbacks: the session's ends are the hosts' `router_id`s.
    @Test func loopbackPeeringBetweenRouterIDsPasses() throws {
        var (tcp, frames) = Self.session(("10.255.0.1", Addr.host1MAC), ("10.255.0.2", Addr.host2MAC))
        frames.append(tcp.send(fromClient: true, Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.host1)))
        frames.append(tcp.send(fromClient: false, Frame.bgpUpdate(announce: ["192.168.20.0/24"], nextHop: Addr.host2)))
        let plan = planYAML(hostKeys: [["asn: 64512", "router_id: 10.255.0.1"], ["asn: 64512", "router_id: 10.255.0.2"]], routing: ["protocol: bgp"])
        let v = try Lab.verify(plan: plan, frames: frames)
        #expect(v.status(.bgpSession) == .pass, "\(v.digest)")
        #expect(v.status(.bgpRoutes) == .pass, "\(v.digest)")
        #expect(v.bgpSessions.map(\.peers) == [["host1", "host2"]])
        #expect(v.bgpSessions.first?.state == "established")
    }

    /// A session up before the capture: host2 announces its subnet, then host1 sends `message`.
    static func midSession(host1Sends message: [UInt8]) -> [[UInt8]] {
        var tcp = TCPConversation(client: (Addr.host1, Addr.host1MAC, 50000), server: (Addr.host2, Addr.host2MAC, 179))
        return [tcp.send(fromClient: false, BGPSession.host2Announces), tcp.send(fromClient: true, message)]
    }

    /// Unanswered SYNs between the underlay addresses while the loopback session of the same
    /// two hosts works: the pair has a session, the attempts are not judged.
    @Test func attemptsOfAPairWithALoopbackSessionAreNotJudged() throws {
        var (tcp, frames) = Self.session(("10.255.0.1", Addr.host1MAC), ("10.255.0.2", Addr.host2MAC))
        frames.append(tcp.send(fromClient: true, Frame.bgpKeepalive()))
        frames.insert(Frame.bgpSYN(md5: false), at: 0)
        let plan = planYAML(hostKeys: [["asn: 64512", "router_id: 10.255.0.1"], ["asn: 64512", "router_id: 10.255.0.2"]], routing: ["protocol: bgp"])
        let v = try Lab.verify(plan: plan, frames: frames)
        #expect(v.status(.bgpSession) == .pass, "\(v.digest)")
    }

    /// A capture started mid-session: host2's UPDATE, host1's KEEPALIVE, no OPEN, no End-of-RIB.
    /// host1's subnet was not seen, which is not proof that it is missing.
    @Test func midSessionSubnetNotAnnouncedWarnsNotSeen() throws {
        let v = try Lab.verify(plan: bgpPlan, frames: Self.midSession(host1Sends: Frame.bgpKeepalive()))
        #expect(v.status(.bgpRoutes) == .warn, "\(v.digest)")
        #expect(v[.bgpRoutes].summary.hasPrefix("not seen (session up before the capture: no OPEN or End-of-RIB from the speaker): host1 (192.168.10.0/24)"))
    }

    /// With host1's End-of-RIB (RFC 4724: an empty UPDATE) its whole table is in the capture: missing.
    @Test func midSessionWithEndOfRIBIsMissing() throws {
        let v = try Lab.verify(plan: bgpPlan, frames: Self.midSession(host1Sends: Frame.bgpUpdate()))
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.state == .missing && $0.speaker == "host1" })
    }

    /// `tcpdump -s 80`: the OPENs and UPDATEs are cut, KEEPALIVEs (73 bytes) are whole.
    /// Nothing can be judged from cut messages: both checks warn and say why, never pass.
    @Test func messagesCutBySnaplenWarn() throws {
        var s = BGPSession()
        s.send(host1: true, BGPSession.host1Announces)
        s.send(host1: false, BGPSession.host2Announces)
        s.send(host1: true, Frame.bgpKeepalive())
        s.send(host1: false, Frame.bgpKeepalive())
        let v = try Lab.verify(plan: bgpPlan, [Capture("a.pcap", s.frames, snaplen: 80)])
        #expect(v.status(.bgpSession) == .warn, "\(v.digest)")
        #expect(v.status(.bgpRoutes) == .warn, "\(v.digest)")
        #expect(v[.bgpSession].summary.hasPrefix("BGP messages cut by snaplen 80: 4 of 6 BGP segments with data"))
        #expect(v[.bgpRoutes].summary.hasSuffix("routes not judged"))
        #expect(v.cited(.bgpSession) == a(4, 5, 6, 7))
    }

    /// The session over time: OPENs, Established, then a NOTIFICATION named in words.
    @Test func sessionTimelineNamesTheNotification() throws {
        var s = BGPSession()
        s.send(host1: false, Frame.bgpKeepalive())
        s.send(host1: true, Frame.bgpNotification(code: 4, subcode: 0))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        let session = try #require(v.bgpSessions.first)
        #expect(session.events.map(\.event) == ["OPEN", "OPEN", "established", "NOTIFICATION"])
        #expect(session.events.map(\.frame) == [4, 5, 6, 7])
        #expect(session.events.last?.detail.hasPrefix("Hold Timer Expired") == true)
        #expect(session.state == "closed")
    }
}
