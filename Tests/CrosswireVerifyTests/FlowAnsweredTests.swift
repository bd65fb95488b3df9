// flow.answered (docs/CHECKS.md): connections containers open across hosts are
// answered on the requester's side; "never answered", "refused" and "answered,
// the answer never came back" are told apart by where each packet was seen.

import CrosswireVerdict
import Testing

@Suite struct FlowAnsweredTests {
    /// Container 192.168.10.2 opening TCP to 192.168.20.2:80, leaving host1's NIC (TTL 63).
    func syn(id: Int, from mac: String = Addr.host1MAC, to dst: String = Addr.host2MAC) -> [UInt8] {
        Frame.eth(mac, dst, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: id, ttl: 63, seq: 1000, flags: .syn, payload: []))
    }

    func answer(_ flags: TCPFlags, to mac: String = Addr.host1MAC, from src: String = Addr.host2MAC) -> [UInt8] {
        Frame.eth(src, mac, Frame.tcpPacket(Addr.c2, 80, Addr.c1, 40000, id: 0x0900, ttl: 63, seq: 7000, ack: 1001, flags: flags, payload: []))
    }

    /// Something host1's NIC receives: the point sees host1's incoming traffic.
    let toHost1 = Frame.arp(op: 2, senderMAC: Addr.host2MAC, senderIP: Addr.host2, targetMAC: Addr.host1MAC, targetIP: Addr.host1)

    @Test func answeredConnectionPasses() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [syn(id: 1), answer([.syn, .ack])])
        #expect(v.status(.flowAnswered) == .pass, "\(v.digest)")
        #expect(v[.flowAnswered].summary == "1 cross-host connection opened, all answered")
    }

    @Test func resentSYNsNeverAnsweredFail() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [toHost1, syn(id: 1), syn(id: 2), syn(id: 3)])
        #expect(v.status(.flowAnswered) == .fail, "\(v.digest)")
        #expect(v[.flowAnswered].summary.contains("192.168.10.2:40000 → 192.168.20.2:80 (TCP): 3 SYNs, never answered"))
        #expect(v.cited(.flowAnswered) == a(2))
        #expect(v[.flowAnswered].observed.contains("host2's containers (192.168.20.0/24) answered none of 1 connection"))
        #expect(v[.flowAnswered].hint != nil)
    }

    @Test func aResetRefuses() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [syn(id: 1), answer([.rst, .ack])])
        #expect(v.status(.flowAnswered) == .fail, "\(v.digest)")
        #expect(v[.flowAnswered].summary.contains("refused (RST)"))
    }

    /// host2 answers, but to the router (its route back is missing): seen at host2's NIC, never at host1's.
    @Test func anAnswerThatNeverComesBackFails() throws {
        let v = try Lab.verify(plan: planYAML(), [
            Capture("a.pcap", [toHost1, syn(id: 1), syn(id: 2)]),
            Capture("b.pcap", [syn(id: 1), answer([.syn, .ack], to: Addr.routerMAC), syn(id: 2), answer([.syn, .ack], to: Addr.routerMAC)]),
        ])
        #expect(v.status(.flowAnswered) == .fail, "\(v.digest)")
        #expect(v[.flowAnswered].summary.contains("answered at b.pcap sent to 02:00:00:00:00:01, never back on the requester's side"), "\(v[.flowAnswered].summary)")
        #expect(v[.flowAnswered].hint?.contains("return route") == true)
    }

    /// One SYN at the very end of a capture: it may be answered a moment later. Not judged.
    @Test func aLastMomentSYNIsNotJudged() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [toHost1, syn(id: 1)])
        #expect(v.status(.flowAnswered) == .skip, "\(v.digest)")
    }

    /// A capture of one direction only (nothing ever sent to host1): answers could not show. Not judged.
    @Test func aPointBlindToTheRequestersIncomingTrafficIsNotJudged() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [syn(id: 1), syn(id: 2), syn(id: 3)])
        #expect(v.status(.flowAnswered) == .skip, "\(v.digest)")
    }

    /// The request seen at two points with the same TTL (both ends of one wire): an answer seen at
    /// either, sent to the requester, is an answer (a reply that comes back another way, as in 14-wrong-route).
    @Test func anAnswerOnTheRequestersWireAtAnotherPointCounts() throws {
        let v = try Lab.verify(plan: planYAML(), [
            Capture("a.pcap", [syn(id: 1), answer([.syn, .ack])]),
            Capture("b.pcap", [syn(id: 1)]),
        ])
        #expect(v.status(.flowAnswered) == .pass, "\(v.digest)")
    }

    @Test func unansweredEchoRequestsFail() throws {
        let echo = { (seq: Int) in Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: seq, ttl: 63, Frame.icmpEcho(id: 77, seq: seq))) }
        let v = try Lab.verify(plan: planYAML(), frames: [toHost1, echo(1), echo(2)])
        #expect(v.status(.flowAnswered) == .fail, "\(v.digest)")
        #expect(v[.flowAnswered].summary.contains("2 echo requests, never answered"))
    }
}
