// `FieldLine` and the in-place writers under it: the same text as the
// array-based writers, and nothing written past the room `prepare` asks for.

import CrosswireDecoder
@testable import CrosswireDecoderText
import Testing

struct FieldLineTests {
    /// What `body` writes at a cursor, with 64 bytes of room.
    static func text(_ body: (inout Cursor) -> Void) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { room in
            var p = room.baseAddress!
            body(&p)
            return Array(UnsafeBufferPointer(start: room.baseAddress!, count: p - room.baseAddress!))
        }
    }

    static func array(_ body: (inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        body(&out)
        return out
    }

    @Test func decimalsAsWriteDecimal() {
        var values: [UInt64] = [0, UInt64.max, UInt64.max - 1]
        var power: UInt64 = 1
        for _ in 0..<20 {
            values += [power - 1, power, power + 1, power &* 7 &+ 3]
            power = power &* 10
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0..<64, using: &rng)) }
        for v in values {
            #expect(Self.text { putDecimal(v, &$0) } == Self.array { writeDecimal(v, to: &$0) }, "\(v)")
        }
        for b in 0...255 {
            #expect(Self.text { putDecimal(UInt8(b), &$0) } == Array(String(b).utf8))
        }
    }

    @Test func hexAsWriteHexFixed() {
        for v: UInt64 in [0, 1, 0xA, 0xBEEF, 0xFFFF, 0x1B59, 0xABCDE, 0xFF_FFFF] {
            for digits in [4, 6] {
                #expect(Self.text { putHexFixed(v, digits: digits, &$0) } == Self.array { writeHexFixed(v, digits: digits, to: &$0) })
            }
        }
    }

    @Test func addressesAsTheirDescription() {
        var rng = SystemRandomNumberGenerator()
        var v6: [IPv6Address] = [
            .any, IPv6Address("::1")!, IPv6Address("fe80::1")!, IPv6Address("ff02::5")!, IPv6Address("::ffff:192.0.2.1")!,
            IPv6Address("2001:db8::1:0:0:1")!, IPv6Address("2001:db8:0:0:1::1")!, IPv6Address("1:0:0:2:0:0:0:3")!,
            IPv6Address("1:2:3:4:5:6:7:8")!, IPv6Address("0:1:0:1:0:1:0:1")!, IPv6Address("::ffff:0:1")!,
            IPv6Address(high: 0, low: 0xFFFF_FFFF_FFFF),
        ]
        for _ in 0..<3000 {
            // Random groups, many of them zero, so that zero runs of every length and place occur.
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 {
                let g: UInt64 = Bool.random(using: &rng) ? 0 : UInt64.random(in: 0...0xFFFF, using: &rng) >> UInt64.random(in: 0..<16, using: &rng)
                if i < 4 { high = high << 16 | g } else { low = low << 16 | g }
            }
            v6.append(IPv6Address(high: high, low: low))
        }
        for a in v6 {
            #expect(String(decoding: Self.text { put(a, &$0) }, as: UTF8.self) == a.description)
            #expect(String(decoding: Self.text { put(IPAddress.v6(a), &$0) }, as: UTF8.self) == a.description)
        }
        for _ in 0..<2000 {
            let v4 = IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &rng))
            #expect(String(decoding: Self.text { put(v4, &$0) }, as: UTF8.self) == v4.description)
            let mac = MACAddress(rawValue: UInt64.random(in: 0...UInt64.max, using: &rng))
            #expect(String(decoding: Self.text { put(mac, &$0) }, as: UTF8.self) == mac.description)
        }
    }

    /// A control-plane writer with long values, so that the indirect part of a line is large.
    struct LongControl: ControlPlaneFieldWriter {
        func write(_ field: PacketField, to out: inout [UInt8]) {
            out += Array("\(field.rawValue)=\(String(repeating: "x", count: 300))".utf8)
        }
    }

    /// Every field, in place, is the fields one by one joined by the separator,
    /// and nothing is written past the room that `prepare` asked for.
    @Test func lineIsTheFieldsJoinedAndStaysInItsRoom() {
        let frames: [[UInt8]] = [
            TunnelTests.vxlanFrame, TunnelTests.geneveEthernetFrame, TunnelTests.geneveIPv4Frame, TunnelTests.sixInFourFrame,
            TunnelTests.fourInSixFrame, EthernetTests.qinqFrame, EthernetTests.dot1QFrame, IPv6Tests.udpFrame, TCPTests.bgpSYN,
            IPv4Tests.firstFragment, IPv4Tests.laterFragment, eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), ihl: 4),
        ]
        let facts = FrameFacts(number: 123_456_789, seconds: 1_700_000_001, nanoseconds: 5)
        let selections: [[PacketField]] = [PacketField.allCases, PacketField.allCases.reversed(), [.ipSource, .ipSource, .vlanID]]
            + PacketField.allCases.map { [$0] }  // one field alone: its own room is all the room there is
        for selection in selections {
            var line = FieldLine(selection, separator: UInt8(ascii: "|"))
            for frame in frames {
                let packet = UnsafeMutablePointer<DecodedPacket>.allocate(capacity: 1)
                defer { packet.deallocate() }
                packet.initialize(to: decode(frame))
                var control = LongControl()
                var expected: [UInt8] = []
                for (i, f) in selection.enumerated() {
                    if i > 0 { expected.append(UInt8(ascii: "|")) }
                    packet.pointee.write(f, frame: facts, control: &control, to: &expected)
                }
                expected.append(UInt8(ascii: "\n"))
                let room = line.prepare(packet, frame: facts, control: &control)
                let guardBytes = 64
                let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: room + guardBytes)
                defer { buffer.deallocate() }
                buffer.initialize(repeating: 0xEE, count: room + guardBytes)
                let end = line.write(packet, frame: facts, to: buffer)
                #expect(Array(UnsafeBufferPointer(start: buffer, count: end - buffer)) == expected)
                #expect(end - buffer <= room)
                #expect(UnsafeBufferPointer(start: buffer + room, count: guardBytes).allSatisfy { $0 == 0xEE })
            }
        }
    }
}
