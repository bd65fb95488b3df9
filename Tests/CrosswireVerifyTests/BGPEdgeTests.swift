// bgp.session and bgp.routes on small captures (docs/CHECKS.md). One eBGP
// session host1 (AS 64512, client port 50000) — host2 (AS 64513, port 179),
// captured on host1's NIC: frames 1–3 the TCP handshake, 4 host1's OPEN,
// 5 host2's OPEN, then what each test adds.

import CrosswireVerdict
import Testing

let bgpPlan = planYAML(hostKeys: [["asn: 64512"], ["asn: 64513"]], routing: ["protocol: bgp", "bgp: { hold_time: 90 }"])

struct BGPSession {
    var tcp = TCPConversation(client: (Addr.host1, Addr.host1MAC, 50000), server: (Addr.host2, Addr.host2MAC, 179))
    var frames: [[UInt8]] = []

    init(host1AS: Int = 64512, host2AS: Int = 64513, host1Hold: Int = 90, host2Hold: Int = 90) {
        frames = tcp.handshake()
        frames.append(tcp.send(fromClient: true, Frame.bgpOpen(asn: host1AS, holdTime: host1Hold, identifier: Addr.host1)))
        frames.append(tcp.send(fromClient: false, Frame.bgpOpen(asn: host2AS, holdTime: host2Hold, identifier: Addr.host2)))
    }

    /// Sends a message from host1 (client) or host2; returns its frame number.
    @discardableResult
    mutating func send(host1: Bool, _ message: [UInt8]) -> Int {
        frames.append(tcp.send(fromClient: host1, message))
        return frames.count
    }

    /// Sends a message from host1 split into segments cut at `cuts`; returns the last segment's frame number.
    @discardableResult
    mutating func sendSplit(host1: Bool, _ message: [UInt8], cuts: [Int]) -> Int {
        var start = 0
        for end in cuts + [message.count] {
            frames.append(tcp.send(fromClient: host1, Array(message[start..<end])))
            start = end
        }
        return frames.count
    }

    /// host1 announcing its containers with itself as next hop.
    static let host1Announces = Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.host1, asPath: [64512])
    static let host2Announces = Frame.bgpUpdate(announce: ["192.168.20.0/24"], nextHop: Addr.host2, asPath: [64513])
}

@Suite struct BGPSessionEdgeTests {
    @Test func opensWithPlannedASNsAndHoldTimePass() throws {
        var s = BGPSession()
        s.send(host1: true, Frame.bgpKeepalive())
        s.send(host1: false, Frame.bgpKeepalive())
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .pass, "\(v.digest)")
        #expect(v.cited(.bgpSession).isEmpty)
        #expect(v.status(.bgpRoutes) == .skip)
        #expect(v[.bgpSession].observed.contains { $0.contains("host1 OPEN: AS 64512, hold time 90") && $0.contains("a.pcap frame 4") })
    }

    /// RFC 2385: a password mismatch drops the SYNs silently; nothing but SYNs to 179 is seen.
    @Test func unansweredSYNsWithMD5Fail() throws {
        let frames = (0..<3).map { Frame.bgpSYN(md5: true, seq: 1000 + UInt32($0)) }
        let v = try Lab.verify(plan: bgpPlan, frames: frames)
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v[.bgpSession].summary == "no session between host1 and host2: 3 SYNs to 179 unanswered (MD5 option set)")
        #expect(v.cited(.bgpSession) == a(1))
    }

    @Test func synsAnsweredByRSTFail() throws {
        let rst = Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.ipv4(
            src: Addr.host2, dst: Addr.host1, proto: 6, id: 9, ttl: 64, Frame.tcp(sp: 179, dp: 50000, seq: 0, ack: 1001, flags: [.rst, .ack])))
        let v = try Lab.verify(plan: bgpPlan, frames: [Frame.bgpSYN(md5: false), rst])
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v[.bgpSession].summary == "no session between host1 and host2: 1 SYNs to 179 answered by RST (1)")
    }

    @Test func failedAttemptsOfAWorkingPairAreNotJudged() throws {
        var s = BGPSession()
        s.frames.insert(Frame.bgpSYN(md5: false, seq: 1), at: 0)
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .pass, "\(v.digest)")
    }

    /// Every announcement counts: a leak withdrawn before the capture ends still fails, naming both frames.
    @Test func leakAnnouncedAndWithdrawnFails() throws {
        var s = BGPSession()
        s.send(host1: true, BGPSession.host1Announces)
        s.send(host1: false, BGPSession.host2Announces)
        let leak = s.send(host1: false, Frame.bgpUpdate(announce: ["192.168.99.0/24"], nextHop: Addr.host2, asPath: [64513]))
        let gone = s.send(host1: false, Frame.bgpUpdate(withdrawn: ["192.168.99.0/24"]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v[.bgpRoutes].summary.contains("extra 192.168.99.0/24 from host2 (announced at a.pcap frame \(leak), withdrawn at a.pcap frame \(gone))"))
        #expect(v.cited(.bgpRoutes) == a(leak, gone))
    }

    @Test func wrongASNFails() throws {
        let s = BGPSession(host1AS: 65000)
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(4))
        #expect(v[.bgpSession].summary.contains("AS 65000"))
    }

    @Test func holdTimeDifferentFromThePlanFails() throws {
        let s = BGPSession(host2Hold: 180)
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(5))
        #expect(v[.bgpSession].summary.contains("hold time 180"))
    }

    @Test func ceaseNotificationWarns() throws {
        var s = BGPSession()
        let n = s.send(host1: true, Frame.bgpNotification(code: 6, subcode: 2))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .warn, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(n))
    }

    @Test func otherNotificationFails() throws {
        var s = BGPSession()
        // OPEN Message Error / Bad Peer AS.
        let n = s.send(host1: false, Frame.bgpNotification(code: 2, subcode: 2))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(n))
    }

    @Test func sessionWithAnUnplannedPeerFails() throws {
        var tcp = TCPConversation(client: (Addr.host3, Addr.host3MAC, 50000), server: (Addr.host2, Addr.host2MAC, 179))
        var frames = tcp.handshake()
        frames.append(tcp.send(fromClient: true, Frame.bgpOpen(asn: 64999, holdTime: 90, identifier: Addr.host3)))
        let v = try Lab.verify(plan: bgpPlan, frames: frames)
        #expect(v.status(.bgpSession) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(4))
        #expect(v[.bgpSession].summary.contains("192.168.56.121 is not a planned host or router"))
    }

    @Test func sessionWithoutOpensWarns() throws {
        var s = BGPSession()
        s.send(host1: true, Frame.bgpKeepalive())
        let v = try Lab.verify(plan: bgpPlan, frames: Array(s.frames.dropFirst(5)))
        #expect(v.status(.bgpSession) == .warn, "\(v.digest)")
        #expect(v.cited(.bgpSession) == a(1))
    }
}

@Suite struct BGPRoutesEdgeTests {
    @Test func updateSplitOverThreeSegmentsBelongsToTheLastOne() throws {
        var s = BGPSession()
        let update = BGPSession.host1Announces
        let last = s.sendSplit(host1: true, update, cuts: [10, 30])
        #expect(last == 8)
        s.send(host1: false, BGPSession.host2Announces)
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .pass, "\(v.digest)")
        #expect(v.status(.bgpSession) == .pass)
        let updates = v.events.filter { $0.kind == "UPDATE" }
        #expect(updates.map(\.frame) == [8, 9])
        #expect(updates.first?.detail.contains("+192.168.10.0/24 nh 192.168.56.119") == true)
        let rows = v.bgpRoutes.map { "\($0.state) \($0.speaker) \($0.prefix) \($0.nextHop ?? "-")" }
        #expect(rows == ["present host1 192.168.10.0/24 192.168.56.119", "present host2 192.168.20.0/24 192.168.56.120"])
    }

    @Test func extraPrefixInASplitUpdateFailsCitingTheCompletingFrame() throws {
        var s = BGPSession()
        let update = Frame.bgpUpdate(announce: ["192.168.10.0/24", "172.16.0.0/16"], nextHop: Addr.host1, asPath: [64512])
        let last = s.sendSplit(host1: true, update, cuts: [5, 40])
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpRoutes) == a(last))
        #expect(v.bgpRoutes.contains { $0.state == .extra && $0.prefix == "172.16.0.0/16" && $0.speaker == "host1" })
        #expect(v.bgpRoutes.contains { $0.state == .present && $0.prefix == "192.168.10.0/24" })
    }

    /// One UPDATE carries many prefixes: they are listed by prefix, never in a
    /// dictionary's order (which changes from run to run, and broke reports' stability).
    @Test func prefixesOfOneUpdateAreListedInPrefixOrder() throws {
        var s = BGPSession()
        let leaked = ["10.8.0.0/16", "10.1.0.0/16", "172.16.5.0/24", "10.3.0.0/16", "10.20.0.0/16", "172.16.1.0/24", "10.2.0.0/16", "10.10.0.0/16"]
        let n = s.send(host1: true, Frame.bgpUpdate(announce: leaked, nextHop: Addr.host1, asPath: [64512]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        let ordered = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.8.0.0/16", "10.10.0.0/16", "10.20.0.0/16", "172.16.1.0/24", "172.16.5.0/24"]
        // The route table's rows are sorted by their text; the evidence by frame, then prefix.
        #expect(v.bgpRoutes.filter { $0.state == .extra }.map(\.prefix) == ordered.sorted())
        let details = v[.bgpRoutes].evidence.filter { $0.frame == n }.map(\.detail)
        #expect(details == ordered.map { "host1 announces \($0), which is not a planned container subnet" })
    }

    @Test func ownerAnnouncingWithAWrongNextHopFails() throws {
        var s = BGPSession()
        let n = s.send(host1: true, Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.router, asPath: [64512]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpRoutes) == a(n))
        #expect(v.bgpRoutes.contains { $0.state == .wrongNextHop && $0.prefix == "192.168.10.0/24" && $0.nextHop == Addr.router })
    }

    @Test func withdrawingItsOwnSubnetIsMissing() throws {
        var s = BGPSession()
        s.send(host1: true, BGPSession.host1Announces)
        let w = s.send(host1: true, Frame.bgpUpdate(withdrawn: ["192.168.10.0/24"]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpRoutes) == a(w))
        #expect(v.bgpRoutes.contains { $0.state == .missing && $0.speaker == "host1" && $0.prefix == "192.168.10.0/24" && $0.detail == "withdrawn" })
    }

    @Test func subnetOriginatedByANonOwnerIsExtra() throws {
        var s = BGPSession()
        // host2 announces host1's subnet as its own origin.
        let n = s.send(host1: false, Frame.bgpUpdate(announce: ["192.168.10.0/24", "192.168.20.0/24"], nextHop: Addr.host2, asPath: [64513]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.cited(.bgpRoutes) == a(n))
        #expect(v.bgpRoutes.contains { $0.state == .extra && $0.prefix == "192.168.10.0/24" && $0.speaker == "host2" })
    }

    @Test func relayedSubnetOfItsOwnerIsPresent() throws {
        var s = BGPSession()
        s.send(host1: true, BGPSession.host1Announces)
        // host2 passes host1's subnet on: the path ends in host1's AS, so host1 originated it.
        s.send(host1: false, Frame.bgpUpdate(announce: ["192.168.10.0/24"], nextHop: Addr.host2, asPath: [64513, 64512]))
        s.send(host1: false, BGPSession.host2Announces)
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .pass, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.state == .present && $0.speaker == "host2" && $0.prefix == "192.168.10.0/24" && $0.detail == "relayed from host1" })
    }

    @Test func aSpeakerThatNeverAnnouncesItsSubnetIsMissing() throws {
        var s = BGPSession()
        s.send(host1: true, BGPSession.host1Announces)
        // host2 speaks (an UPDATE) but only withdraws something it never had.
        s.send(host1: false, Frame.bgpUpdate(withdrawn: ["10.99.0.0/16"]))
        let v = try Lab.verify(plan: bgpPlan, frames: s.frames)
        #expect(v.status(.bgpRoutes) == .fail, "\(v.digest)")
        #expect(v.bgpRoutes.contains { $0.state == .missing && $0.speaker == "host2" && $0.detail == "never announced" })
    }
}
