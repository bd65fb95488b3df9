// encap.checksum (docs/CHECKS.md): received VXLAN/GENEVE frames carry a zero or
// right outer UDP checksum and right inner checksums; tx offload's placeholder
// (the pseudo-header's sum) is never a fault.

import CrosswireDecoder
import CrosswireVerdict
import Foundation
import Testing

/// RFC 1071 over `bytes`, folded, not complemented.
func onesSum(_ bytes: [UInt8]) -> Int {
    var sum = 0
    var i = 0
    while i < bytes.count {
        sum += Int(bytes[i]) << 8 | (i + 1 < bytes.count ? Int(bytes[i + 1]) : 0)
        i += 2
    }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return sum
}

/// The IPv4 pseudo-header of a segment.
func pseudoHeader(_ src: String, _ dst: String, proto: UInt8, length: Int) -> [UInt8] {
    var b = ip4(src) + ip4(dst) + [0, proto]
    b.u16(length)
    return b
}

@Suite struct EncapChecksumTests {
    enum Outer { case right, zero, wrong, placeholder }
    enum Inner { case right, wrong, placeholder }

    /// A TCP segment from host1's container to host2's, its checksum as `inner` says.
    func innerTCP(_ inner: Inner) -> [UInt8] {
        var seg = Frame.tcp(sp: 40000, dp: 80, seq: 1000, ack: 1, flags: [.psh, .ack], Array(repeating: 0x42, count: 37))
        let pseudo = pseudoHeader(Addr.c1, Addr.c2, proto: 6, length: seg.count)
        let value: Int
        switch inner {
        case .right: value = 0xFFFF - onesSum(pseudo + seg)
        case .wrong: value = (0xFFFF - onesSum(pseudo + seg)) ^ 0x0F0F
        case .placeholder: value = onesSum(pseudo)
        }
        seg[16] = UInt8(value >> 8); seg[17] = UInt8(value & 0xFF)
        return Frame.ethernet(src: Addr.c1MAC, dst: Addr.c2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 6, id: 7, ttl: 63, seg))
    }

    /// A VXLAN frame host1 → host2 whose outer UDP checksum is as `outer` says; `asFilled` computes a
    /// right outer checksum as if the inner placeholder were already filled in (local checksum offload).
    func frame(_ outer: Outer, inner: Inner = .right, asFilled: Bool = false) -> [UInt8] {
        let innerFrame = innerTCP(inner)
        var udp = Frame.udp(sp: 40001, dp: 8472, Frame.vxlan(vni: 1, innerFrame))
        let pseudo = pseudoHeader(Addr.host1, Addr.host2, proto: 17, length: udp.count)
        var summed = udp
        if asFilled {
            // The inner TCP checksum field sits after outer UDP (8) + VXLAN (8) + Ethernet (14) + IPv4 (20) + 16.
            let at = 8 + 8 + 14 + 20 + 16
            let seg = Array(innerFrame[34...])
            var zeroed = seg; zeroed[16] = 0; zeroed[17] = 0
            let filled = 0xFFFF - onesSum(pseudoHeader(Addr.c1, Addr.c2, proto: 6, length: seg.count) + zeroed)
            summed[at] = UInt8(filled >> 8); summed[at + 1] = UInt8(filled & 0xFF)
        }
        let right = 0xFFFF - onesSum(pseudo + summed)
        let value: Int
        switch outer {
        case .right: value = right
        case .zero: value = 0
        case .wrong: value = right ^ 0x5A5A
        case .placeholder: value = onesSum(pseudo)
        }
        udp[6] = UInt8(value >> 8); udp[7] = UInt8(value & 0xFF)
        return Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(src: Addr.host1, dst: Addr.host2, proto: 17, id: 0x0101, udp))
    }

    func verify(_ frames: [[UInt8]]) throws -> Verdict { try Lab.verify(plan: vxlanPlan, frames: frames) }

    @Test func rightAndZeroOuterChecksumsPass() throws {
        let v = try verify([frame(.right), frame(.zero)])
        #expect(v.status(.encapChecksum) == .pass, "\(v.digest)")
        #expect(v[.encapChecksum].summary == "2 tunnel frames judged: outer UDP checksums right (1) or zero (1), inner checksums right")
    }

    @Test func aWrongOuterChecksumFailsNamingTheSender() throws {
        let v = try verify([frame(.right), frame(.wrong)])
        #expect(v.status(.encapChecksum) == .fail, "\(v.digest)")
        #expect(v[.encapChecksum].summary == "host1's tunnel frames at a.pcap: 1 of 2 with a wrong outer UDP checksum (50.00%); first: a.pcap frame 2")
        #expect(v.cited(.encapChecksum) == [Cite("a.pcap", 2)])
        #expect(v[.encapChecksum].hint?.contains("tx-checksum-ip-generic off") == true)
    }

    /// tx checksum offload: the sender's stack leaves the pseudo-header's sum for the NIC to finish.
    @Test func theTxOffloadPlaceholderIsNotAFault() throws {
        let v = try verify([frame(.placeholder), frame(.placeholder, inner: .placeholder)])
        #expect(v.status(.encapChecksum) == .pass, "\(v.digest)")
        #expect(v[.encapChecksum].observed.contains("2 frames with checksums left to offload (the pseudo-header sum: not judged)"))
    }

    /// Local checksum offload: the outer checksum is right once the inner placeholder is filled in.
    @Test func anOuterChecksumComputedForTheFilledInnerIsRight() throws {
        let v = try verify([frame(.right, inner: .placeholder, asFilled: true)])
        #expect(v.status(.encapChecksum) == .pass, "\(v.digest)")
        let bad = try verify([frame(.right, inner: .placeholder, asFilled: false)])
        #expect(bad.status(.encapChecksum) == .fail, "\(bad.digest)")
    }

    @Test func aWrongInnerChecksumFails() throws {
        let v = try verify([frame(.zero, inner: .wrong)])
        #expect(v.status(.encapChecksum) == .fail, "\(v.digest)")
        #expect(v[.encapChecksum].summary.contains("with a wrong inner checksum"), "\(v[.encapChecksum].summary)")
    }

    /// An SLL capture marks what its host sent: never judged, whatever its checksum.
    @Test func framesTheCapturingHostSentAreNotJudged() throws {
        let outgoing = frame(.wrong).dropFirst(14)
        let sll = CapturePointTests.sll(packetType: 4, source: Addr.host1MAC, Array(outgoing))
        let v = try Lab.verify(plan: vxlanPlan, [Capture("a.pcap", [sll], linkType: .linuxSLL)])
        #expect(v.status(.encapChecksum) == .skip, "\(v.digest)")
        #expect(v[.encapChecksum].summary.contains("the capturing host sent"))
    }

    /// pcapng's epb_flags say which frames the capturing host sent: those are not judged.
    @Test func framesAPcapngMarksOutboundAreNotJudged() throws {
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.pcapng").path
        try Pcapng.write([(0, frame(.wrong)), (0, frame(.wrong)), (0, frame(.right))], interfaces: 1, to: path, flags: [2, 1, nil])
        let v = try Lab.verify(plan: vxlanPlan, paths: [path])
        #expect(v.status(.encapChecksum) == .fail, "\(v.digest)")
        #expect(v[.encapChecksum].summary.contains("1 of 2 with a wrong outer UDP checksum"), "\(v[.encapChecksum].summary)")
        #expect(v[.encapChecksum].observed.contains("1 frame sent by the capturing host (not judged)"))
    }

    @Test func internetChecksumOfRFC1071sExample() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
        let bytes: [UInt8] = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]
        var sum = InternetChecksum()
        bytes.withUnsafeBytes { sum.add($0.bytes, from: 0, count: 8) }
        #expect(sum.folded == 0xDDF2)
        var odd = InternetChecksum()
        bytes.withUnsafeBytes { odd.add($0.bytes, from: 0, count: 7) }
        #expect(Int(odd.folded) == onesSum(Array(bytes.prefix(7))))
    }
}
