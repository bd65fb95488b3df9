// encap.mode, encap.overhead, encap.mtu and encap.vtep on small captures
// (docs/CHECKS.md). Tunnels go host1 → host2 on the underlay; the inner
// packet is container traffic 192.168.10.2 → 192.168.20.2.

import CrosswireVerdict
import Testing

/// A plan for VXLAN VNI 1 on UDP 8472 (flannel's port).
let vxlanPlan = planYAML(mode: "vxlan", transport: ["vxlan: { vni: 1, port: 8472 }"])

/// The inner Ethernet frame of a tunnel: container 192.168.10.2 → 192.168.20.2, UDP with `payload` bytes.
func innerEthernet(payload: Int = 32, id: Int = 0x0777) -> [UInt8] {
    Frame.eth(Addr.c1MAC, Addr.c2MAC, Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001, id: id, payload: Array(repeating: 0x42, count: payload)))
}

@Suite struct FragmentEdgeTests {
    /// A 1500-byte container packet in VXLAN: inner Ethernet 1514, UDP length 1530, outer IP 1550 > 1500,
    /// so host1 splits the outer datagram: 1480 payload bytes (MF) then 50 (offset 185).
    func fragmentedVXLAN() -> (frames: [[UInt8]], inner: Int) {
        let inner = innerEthernet(payload: 1472)
        let udp = Frame.udp(sp: 40001, dp: 8472, Frame.vxlan(vni: 1, inner))
        let fragments = Frame.ipv4Fragments(src: Addr.host1, dst: Addr.host2, proto: 17, id: 0x0abc, firstPayload: 1480, udp)
        return (fragments.map { Frame.eth(Addr.host1MAC, Addr.host2MAC, $0) }, inner.count)
    }

    @Test func fragmentedVXLANIsOnePacketWithBothFramesBytes() throws {
        let (frames, inner) = fragmentedVXLAN()
        #expect(frames.map(\.count) == [1514, 84])
        #expect(inner == 1514)
        let v = try Lab.verify(plan: vxlanPlan, frames: frames)
        let m = try #require(v.metrics.encapsulation.first { $0.kind == "vxlan" }, "\(v.digest)")
        #expect(m.packets == 1)
        #expect(m.frames == 2)
        #expect(m.bytes == 1514 + 84)
        // The tunnel's MTU cost (contract 1.1): outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14,
        // plus the second fragment's outer IP header.
        #expect(m.overheadBytes == 50 + 20)
        #expect(m.overheadBytesPerPacket == 70)
        #expect(v.status(.encapMTU) == .fail)
        #expect(v.cited(.encapMTU) == a(1, 2))
        #expect(v.status(.encapMode) == .pass)
    }

    @Test func secondFragmentFirstIsStillAccounted() throws {
        let (frames, _) = fragmentedVXLAN()
        let v = try Lab.verify(plan: vxlanPlan, frames: frames.reversed())
        let m = try #require(v.metrics.encapsulation.first { $0.kind == "vxlan" }, "\(v.digest)")
        #expect(m.packets == 1)
        #expect(m.frames == 2)
        #expect(m.overheadBytes == 70)
        #expect(v.status(.encapMTU) == .fail)
        // Frame 1 is now the later fragment, frame 2 the first: both are the fragmented tunnel packet.
        #expect(v.cited(.encapMTU) == a(1, 2))
    }

    @Test func plainFragmentedContainerUDPIsNotAnEncapProblem() throws {
        let payload = Frame.udp(sp: 5000, dp: 5001, Array(repeating: 0x42, count: 2000))
        let frames = Frame.ipv4Fragments(src: Addr.c1, dst: Addr.c2, proto: 17, id: 0x0def, ttl: 63, firstPayload: 1480, payload)
            .map { Frame.eth(Addr.host1MAC, Addr.host2MAC, $0) }
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
        #expect(v.cited(.encapMTU).isEmpty)
        #expect(v.status(.encapOverhead) == .skip)
        #expect(v.metrics.encapsulation.isEmpty)
    }

    @Test func aTunnelPacketSeenAtTwoPointsCountsTwice() throws {
        let frame = Frame.vxlanFrame(innerEthernet())
        let v = try Lab.verify(plan: vxlanPlan, [Capture("a.pcap", [frame]), Capture("b.pcap", [frame])])
        let m = try #require(v.metrics.encapsulation.first)
        #expect(m.packets == 2)
        #expect(m.overheadBytes == 100)
    }
}

@Suite struct EncapModeEdgeTests {
    @Test func vxlanWherePlanSaysRoutedFails() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80)), Frame.vxlanFrame(innerEthernet())]
        let v = try Lab.verify(plan: planYAML(mode: "routed"), frames: frames)
        #expect(v.status(.encapMode) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMode) == a(2))
    }

    @Test func wrongVNIFails() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(vni: 1, innerEthernet()), Frame.vxlanFrame(vni: 2, id: 0x0102, innerEthernet(id: 0x0778))])
        #expect(v.status(.encapMode) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMode) == a(2))
        #expect(v[.encapMode].summary.contains("VNI 2"))
    }

    @Test func wrongPortFails() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(port: 4789, innerEthernet())])
        #expect(v.status(.encapMode) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMode) == a(1))
        #expect(v[.encapMode].summary.contains("4789"))
    }

    @Test func plannedVXLANPasses() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(innerEthernet())])
        #expect(v.status(.encapMode) == .pass, "\(v.digest)")
        let m = try #require(v.metrics.encapsulation.first)
        #expect(m.kind == "vxlan")
        #expect(m.overheadBytesPerPacket == 50)
    }

    /// IP-in-IP costs its outer IP header, 20 bytes (contract 1.1; version 1 also counted the
    /// outer Ethernet header: 34).
    @Test func ipipWithPlanIPIPPassesAt20BytesPerPacket() throws {
        let frames = (0..<2).map { i in
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(
                src: Addr.host1, dst: Addr.host2, proto: 4, id: 0x3000 + i,
                Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0100 + i, seq: 1000 + UInt32(i) * 100)))
        }
        let v = try Lab.verify(plan: planYAML(mode: "ipip"), frames: frames)
        #expect(v.status(.encapMode) == .pass, "\(v.digest)")
        #expect(v.status(.encapOverhead) == .pass)
        let m = try #require(v.metrics.encapsulation.first { $0.kind == "ipip" })
        #expect(v.metrics.encapsulation.count == 1)
        #expect(m.packets == 2)
        #expect(m.overheadBytes == 40)
        #expect(m.overheadBytesPerPacket == 20)
        #expect(m.bytes == frames.reduce(0) { $0 + $1.count })
    }

    @Test func noContainerTrafficSkips() throws {
        let frames = [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.host1, 50022, Addr.host2, 22))]
        let v = try Lab.verify(plan: vxlanPlan, frames: frames)
        #expect(v.status(.encapMode) == .skip)
        #expect(v[.encapMode].summary.contains("no container traffic"))
        #expect(v.cited(.encapMode).isEmpty)
    }

    @Test func overheadAboveThePlannedRatioFails() throws {
        // 50 bytes of a 124-byte frame: about 40%, far above 5%.
        let plan = planYAML(mode: "vxlan", transport: ["vxlan: { vni: 1, port: 8472 }", "max_overhead_ratio: 0.05"])
        let v = try Lab.verify(plan: plan, frames: [Frame.vxlanFrame(innerEthernet())])
        #expect(v.status(.encapOverhead) == .fail, "\(v.digest)")
    }
}

@Suite struct EncapVTEPEdgeTests {
    @Test func tunnelToTheOwnerOfTheInnerDestinationPasses() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(outerSrc: Addr.host1, outerDst: Addr.host2, innerEthernet())])
        #expect(v.status(.encapVTEP) == .pass, "\(v.digest)")
        #expect(v.cited(.encapVTEP).isEmpty)
    }

    @Test func tunnelToAnotherHostFails() throws {
        let frames = [
            Frame.vxlanFrame(outerSrc: Addr.host1, outerDst: Addr.host2, innerEthernet()),
            // A packet for host2's container sent to host1's address.
            Frame.vxlanFrame(outerSrc: Addr.host2, outerDst: Addr.host1, srcMAC: Addr.host2MAC, dstMAC: Addr.host1MAC, id: 0x0202, innerEthernet(id: 0x0779)),
        ]
        let v = try Lab.verify(plan: vxlanPlan, frames: frames)
        #expect(v.status(.encapVTEP) == .fail, "\(v.digest)")
        #expect(v.cited(.encapVTEP) == a(2))
    }

    /// No tunnel frame: nothing for the tunnel's own checks; encap.mode fails, since the
    /// container packet crossed between the hosts' NICs unencapsulated (contract 1.1).
    @Test func noTunnelSkipsTheTunnelChecks() throws {
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))])
        #expect(v.status(.encapVTEP) == .skip)
        #expect(v.status(.encapOverhead) == .skip)
        #expect(v.status(.encapMode) == .fail)
    }
}

@Suite struct EncapMTUEdgeTests {
    /// Container traffic 192.168.10.2:40000 → 192.168.20.2:80 on host1's NIC.
    func segment(seq: UInt32, id: Int, payload: Int = 1400, flags: TCPFlags = [.psh, .ack]) -> [UInt8] {
        Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: id, seq: seq, ack: 9000, flags: flags, payload: Array(repeating: 0x41, count: payload)))
    }

    /// host2's container acknowledging `ack`.
    func ack(_ ack: UInt32, id: Int) -> [UInt8] {
        Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.tcpPacket(Addr.c2, 80, Addr.c1, 40000, id: id, seq: 9000, ack: ack, flags: .ack, payload: []))
    }

    @Test func fragmentationNeededAboutContainerTrafficFails() throws {
        let big = Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0a0a, seq: 5000, payload: Array(repeating: 0x41, count: 1460))
        let frames = [
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, big),
            // host1 cannot forward it (DF, tunnel MTU 1450): type 3 code 4, next-hop MTU 1450.
            Frame.eth(Addr.bridge1MAC, Addr.c1MAC, Frame.ipv4(src: "192.168.10.1", dst: Addr.c1, proto: 1, id: 0x0b0b, Frame.icmpError(type: 3, code: 4, rest: 1450, quoting: big))),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMTU) == a(2))
        #expect(v[.encapMTU].evidence.first?.detail.contains("MTU 1450") == true)
    }

    @Test func largeSegmentSentThreeTimesNeverAckedIsABlackHole() throws {
        let frames = [
            segment(seq: 5000, id: 1), ack(5000, id: 100),
            segment(seq: 5000, id: 2), segment(seq: 5000, id: 3),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMTU) == a(1))
        #expect(v[.encapMTU].evidence.first?.detail.contains("last at frame 4") == true)
    }

    @Test func largeSegmentSentThreeTimesThenAckedPasses() throws {
        let frames = [
            segment(seq: 5000, id: 1), segment(seq: 5000, id: 2), segment(seq: 5000, id: 3),
            ack(6400, id: 100),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
        #expect(v.cited(.encapMTU).isEmpty)
    }

    @Test func smallSegmentsRepeatedAreNotABlackHole() throws {
        // 576 bytes of payload is not "more than 576".
        let frames = [segment(seq: 5000, id: 1, payload: 576), segment(seq: 5000, id: 2, payload: 576), segment(seq: 5000, id: 3, payload: 576)]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
    }

    @Test func unfragmentedTunnelPacketOverTheUnderlayMTUFails() throws {
        // Outer IP 14 + 1500 + 36 = 1550 bytes > 1500, not fragmented (a jumbo-frame underlay the plan does not have).
        let v = try Lab.verify(plan: vxlanPlan, frames: [Frame.vxlanFrame(innerEthernet(payload: 1472))])
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMTU) == a(1))
    }

    @Test func innerPacketOverThePlannedContainerMTUFails() throws {
        // Inner packets of 1328 and 1428 bytes against a container MTU of 1400; outer 1378 and 1478 fit the underlay.
        let plan = planYAML(mode: "vxlan", transport: ["mtu: 1400", "vxlan: { vni: 1, port: 8472 }"])
        let frames = [Frame.vxlanFrame(innerEthernet(payload: 1300)), Frame.vxlanFrame(id: 0x0102, innerEthernet(payload: 1400, id: 0x0778))]
        let v = try Lab.verify(plan: plan, frames: frames)
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v.cited(.encapMTU) == a(2))
    }
}

/// Contract 1.1 rules of encap.mode and encap.mtu on real hosts: container traffic that skips
/// the planned tunnel, and containers that believe in a larger MTU than the tunnel leaves.
@Suite struct PlannedTunnelEdgeTests {
    let vxlan = planYAML(mode: "vxlan", transport: ["vxlan: { vni: 1, port: 8472 }"])

    /// A SYN from container c1 to c2 with an MSS option (kind 2), on the hosts' NICs.
    func syn(mss: Int) -> [UInt8] {
        var tcp = Frame.tcp(sp: 40000, dp: 80, seq: 1000, flags: [.syn])
        tcp[12] = 6 << 4  // data offset: 24 bytes, the MSS option follows
        tcp += [2, 4, UInt8(mss >> 8), UInt8(mss & 0xff)]
        return Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 6, id: 0x2000, df: true, tcp))
    }

    @Test func plainContainerTrafficWhereVXLANIsPlannedFails() throws {
        let frames = (0..<3).map { i in
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0100 + i, seq: 1000 + UInt32(i) * 100))
        }
        let v = try Lab.verify(plan: vxlan, frames: frames)
        #expect(v.status(.encapMode) == .fail, "\(v.digest)")
        #expect(v[.encapMode].summary.contains("3 cross-host container packets cross the underlay unencapsulated"))
        #expect(v.cited(.encapMode) == a(1, 2, 3))
    }

    /// Frames between a container and its own bridge (no planned MAC) are not on the underlay.
    @Test func plainFramesOffTheUnderlayAreNotJudged() throws {
        let frames = [Frame.eth("02:42:c0:a8:0a:02", "02:42:c0:a8:0a:01", Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80))]
        let v = try Lab.verify(plan: vxlan, frames: frames)
        #expect(v.status(.encapMode) == .skip, "\(v.digest)")
    }

    @Test func mssAboveTheTunnelsPathWarns() throws {
        // 1500 − 50 (VXLAN over IPv4) − 40 = 1410: a SYN announcing 1460 believes in 1500.
        let v = try Lab.verify(plan: vxlan, frames: [syn(mss: 1460)])
        #expect(v.status(.encapMTU) == .warn, "\(v.digest)")
        #expect(v.cited(.encapMTU) == a(1))
        let fits = try Lab.verify(plan: vxlan, frames: [syn(mss: 1410)])
        #expect(fits.status(.encapMTU) == .pass, "\(fits.digest)")
    }

    @Test func mssAboveThePlannedContainerMTUFails() throws {
        let plan = planYAML(mode: "vxlan", transport: ["mtu: 1450", "vxlan: { vni: 1, port: 8472 }"])
        let v = try Lab.verify(plan: plan, frames: [syn(mss: 1460)])
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v[.encapMTU].summary.contains("MSS above transport.mtu 1450"))
    }
}

/// Hosts capture with GRO/GSO/TSO on: TCP super-frames of several KB are built by the
/// capturing host's stack, not sent on a wire. Counted per capture, never failed.
@Suite struct OffloadAggregateEdgeTests {
    let vxlan = planYAML(mode: "vxlan", transport: ["vxlan: { vni: 1, port: 8472 }"])

    func tunnelled(_ innerIP: [UInt8]) -> [UInt8] {
        Frame.vxlanFrame(Frame.eth("02:42:c0:a8:0a:02", "02:42:c0:a8:14:02", innerIP))
    }

    @Test func aVXLANFrameCarryingATCPSuperFrameIsAnAggregate() throws {
        let superSegment = Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0c01, payload: Array(repeating: 0x41, count: 8_000))
        let v = try Lab.verify(plan: vxlan, frames: [tunnelled(superSegment)])
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
        #expect(v[.encapMTU].summary.contains("1 offload aggregates (GRO/GSO), not judged"))
        #expect(v.captures.first?.offloadAggregates == 1)
    }

    @Test func anOversizeUDPTunnelFrameIsStillOversize() throws {
        // Offload merges TCP only: a 3000-byte UDP datagram inside the tunnel did cross a link that big.
        let datagram = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001, id: 0x0c02, payload: Array(repeating: 0x42, count: 3_000))
        let v = try Lab.verify(plan: vxlan, frames: [tunnelled(datagram)])
        #expect(v.status(.encapMTU) == .fail, "\(v.digest)")
        #expect(v.captures.first?.offloadAggregates == nil)
    }

    @Test func aPlainTCPSuperFrameIsCountedToo() throws {
        let superSegment = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 0x0c03, payload: Array(repeating: 0x41, count: 9_000)))
        let v = try Lab.verify(plan: planYAML(), frames: [superSegment])
        #expect(v.captures.first?.offloadAggregates == 1)
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
    }
}
