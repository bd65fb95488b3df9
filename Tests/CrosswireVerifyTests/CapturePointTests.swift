// Capture points inside one file (contract §2, 1.1): each interface of a
// `tcpdump -i any` (SLL2 interface index; SLL v1: sent or received) or of a
// merged pcapng (interface id) is its own point, named `file@interface`, so a
// translation is proven inside one file and one forwarding step is not a loop.

import CrosswireDecoder
import CrosswireVerdict
import Foundation
import Testing

@Suite struct CapturePointTests {
    /// An SLL2 record (20 bytes): protocol, reserved, interface index, ARPHRD type, packet type, address.
    static func sll2(ifindex: UInt32, packetType: UInt8 = 0, source: String, _ ip: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        b.u16(0x0800); b.u16(0); b.u32(ifindex); b.u16(1); b.append(packetType); b.append(6)
        return b + mac(source) + [0, 0] + ip
    }

    /// An SLL (v1) record (16 bytes): packet type, ARPHRD type, address length, address, protocol.
    static func sll(packetType: Int, source: String, _ ip: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        b.u16(packetType); b.u16(1); b.u16(6)
        b += mac(source) + [0, 0]
        b.u16(0x0800)
        return b + ip
    }

    /// The container's echo request before host1's MASQUERADE (TTL 64) and after it (host1's address, TTL 63).
    static let before = Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: 0x4242, Frame.icmpEcho(id: 7, seq: 1))
    static let after = Frame.ipv4(src: Addr.host1, dst: Addr.c2, proto: 1, id: 0x4242, ttl: 63, Frame.icmpEcho(id: 7, seq: 1))

    @Test func sll2InterfacesAreCapturePoints() throws {
        // The packet on the container's veth (4), on the bridge (3) and, translated, on the NIC (2).
        let frames = [
            Self.sll2(ifindex: 4, source: Addr.c1MAC, Self.before),
            Self.sll2(ifindex: 3, source: Addr.c1MAC, Self.before),
            Self.sll2(ifindex: 2, packetType: 4, source: Addr.host1MAC, Self.after),
        ]
        let v = try Lab.verify(plan: planYAML(), [Capture("any.pcap", frames, linkType: .linuxSLL2)])
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v[.natSource].evidence.contains { $0.point == "any.pcap@2" && $0.frame == 3 })
        #expect(v.captures.first?.points?.map { $0.split(separator: "/").last! } == ["any.pcap@4", "any.pcap@3", "any.pcap@2"])
        // TTL 64 → 63 between two interfaces is one forwarding step, not a loop.
        #expect(v.status(.routeErrors) == .pass, "\(v.digest)")
    }

    @Test func sllV1SentAndReceivedAreCapturePoints() throws {
        let frames = [
            Self.sll(packetType: 0, source: Addr.c1MAC, Self.before),
            Self.sll(packetType: 4, source: Addr.host1MAC, Self.after),
        ]
        let v = try Lab.verify(plan: planYAML(), [Capture("any.pcap", frames, linkType: .linuxSLL)])
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v[.natSource].evidence.contains { $0.point == "any.pcap@out" })
    }

    @Test func oneInterfaceIsTheWholeFile() throws {
        let frames = [Self.sll2(ifindex: 2, source: Addr.host1MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, ttl: 63, Frame.icmpEcho(id: 7, seq: 1)))]
        let v = try Lab.verify(plan: planYAML(), [Capture("any.pcap", frames, linkType: .linuxSLL2)])
        #expect(v.captures.first?.points == nil)
    }

    /// A pcapng file with two interfaces (as `mergecap -I none` writes): host2's NIC (0) and bridge (1).
    @Test func pcapngInterfacesAreCapturePoints() throws {
        let outside = Frame.eth(Addr.c1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.host2, 8080, flags: .syn, payload: []))
        let inside = Frame.eth(Addr.bridge2MAC, Addr.c2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, ttl: 63, flags: .syn, payload: []))
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("merged.pcapng").path
        try Pcapng.write([(0, outside), (1, inside)], interfaces: 2, to: path)
        let v = try Lab.verify(plan: planYAML(), paths: [path])
        #expect(v.status(.natDestination) == .fail, "\(v.digest)")
        #expect(v[.natDestination].evidence.contains { $0.point?.hasSuffix("merged.pcapng@1") == true && $0.frame == 2 })
        #expect(v.captures.first?.points?.count == 2)
    }

    /// A pcapng file whose block lengths lie: the frames libpcap reads are still verified.
    @Test func pcapngWithBrokenBlocksLosesNoFrame() throws {
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("odd.pcapng").path
        try Pcapng.write([(0, Frame.eth(Addr.c1MAC, Addr.host2MAC, Self.before))], interfaces: 1, to: path, trailer: [0x06, 0, 0, 0, 0xFF, 0xFF, 0, 0])
        let v = try Lab.verify(plan: planYAML(), paths: [path])
        #expect(v.captures.first?.packets == 1)
    }

    /// `tcpdump -i any` sees a packet on the container's veth and again on the bridge: two sightings
    /// of one transmission. Two transmissions (new IPv4 ids) seen twice each are not a black hole; three are.
    @Test func aSegmentSeenTwiceAtOnePointIsOneTransmission() throws {
        func segment(id: Int) -> [UInt8] {
            Self.sll(packetType: 0, source: Addr.c1MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: id, seq: 5000, ack: 9000, payload: Array(repeating: 0x41, count: 1400)))
        }
        let twice = try Lab.verify(plan: planYAML(), [Capture("any.pcap", [segment(id: 1), segment(id: 1), segment(id: 2), segment(id: 2)], linkType: .linuxSLL)])
        #expect(twice.status(.encapMTU) == .pass, "\(twice.digest)")
        let thrice = try Lab.verify(plan: planYAML(), [Capture("any.pcap", [1, 1, 2, 2, 3, 3].map { segment(id: $0) }, linkType: .linuxSLL)])
        #expect(thrice.status(.encapMTU) == .fail, "\(thrice.digest)")
    }

    /// A large segment seen once at each of three points, never acknowledged, is one send, not three.
    @Test func oneSegmentAtThreePointsIsNotABlackHole() throws {
        let segment = Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, seq: 5000, ack: 9000, payload: Array(repeating: 0x41, count: 1400)))
        let v = try Lab.verify(plan: planYAML(), [Capture("a.pcap", [segment]), Capture("b.pcap", [segment]), Capture("c.pcap", [segment])])
        #expect(v.status(.encapMTU) == .pass, "\(v.digest)")
    }
}

/// A minimal pcapng writer (little-endian): one section, `interfaces` Ethernet interfaces, one EPB per frame.
enum Pcapng {
    static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(12 + body.count + (4 - body.count % 4) % 4)
        var b = le32(type) + le32(length) + body
        b += [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        return b + le32(length)
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// `flags`: each frame's epb_flags option (nil: none), e.g. 1 inbound, 2 outbound. `times`:
    /// each frame's time in nanoseconds since the epoch (nil: a microsecond apart).
    static func write(
        _ frames: [(interface: UInt32, bytes: [UInt8])], interfaces: Int, to path: String, trailer: [UInt8] = [],
        flags: [UInt32?] = [], times: [Int64]? = nil
    ) throws {
        var file = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + [1, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8))
        for _ in 0..<interfaces { file += block(1, [1, 0, 0, 0] + le32(262_144)) }
        for (i, f) in frames.enumerated() {
            let micros = times.map { UInt64($0[i] / 1000) } ?? UInt64(1_700_000_000) * 1_000_000 + UInt64(i)
            let body = le32(f.interface) + le32(UInt32(micros >> 32)) + le32(UInt32(micros & 0xFFFF_FFFF))
                + le32(UInt32(f.bytes.count)) + le32(UInt32(f.bytes.count)) + f.bytes
            var options: [UInt8] = []
            if i < flags.count, let v = flags[i] {
                options = [UInt8](repeating: 0, count: (4 - f.bytes.count % 4) % 4) + [2, 0, 4, 0] + le32(v) + [0, 0, 0, 0]
            }
            file += block(6, body + options)
        }
        try Data(file + trailer).write(to: URL(fileURLWithPath: path))
    }
}
