// UDP (RFC 768).

import CrosswireDecoder
import Testing

struct UDPTests {
    // synthetic-sll2.pcap, frame 4, from its UDP header on (byte 0x2c): 40000 → 9, length 17, "sll2-vlan".
    // 0020                                      9c 40 00 09   @............@..
    // 0030  00 11 f8 07 73 6c 6c 32 2d 76 6c 61 6e            ....sll2-vlan
    static let header = hexDump("""
        9c 40 00 09
        0030  00 11 f8 07 73 6c 6c 32 2d 76 6c 61 6e
        """)

    @Test func deconstruct() {
        let h = parse(Self.header) { s throws(DecodeStop) in try UDPHeader.parse(s, at: 0) }.value
        #expect(h?.sourcePort == 40000)
        #expect(h?.destinationPort == 9)
        #expect(h?.datagramLength == 17)
        let cut = parse(Bytes(Self.header.prefix(7))) { s throws(DecodeStop) in try UDPHeader.parse(s, at: 0) }
        #expect(cut.error == DecodeStop(.udp, at: 0, .truncated(needed: 8, available: 7)))
    }

    @Test func transportFields() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(sport: 5353, dport: 5353, payload: Bytes(repeating: 1, count: 12))))
        #expect(p.stop == nil)
        let t = p.levels[0].transport
        #expect(t.kind == .udp)
        #expect(t.sourcePort == 5353)
        #expect(t.offset == 34)
        #expect(t.headerLength == 8)
        #expect(t.payloadOffset == 42)
        #expect(t.payloadLength == 12)
        #expect(t.capturedPayloadLength == 12)
        #expect(p.field(.udpLength) == "20")
    }

    @Test func lengthBelowHeader() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2], length: 7)))
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        #expect(p.stop == DecodeStop(.udp, at: 34, .badLength(field: 7)))
    }

    @Test func lengthBeyondIPPayload() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2], length: 30)))
        #expect(p.stop == DecodeStop(.udp, at: 34, .badLength(field: 30)))
        #expect(p.isMalformed)
    }

    @Test func lengthShorterThanIPPayload() {
        // UDP says 10 bytes; IP carries 14. The datagram is what UDP says.
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2, 3, 4, 5, 6], length: 10)))
        #expect(p.stop == nil)
        #expect(p.levels[0].transport.payloadLength == 2)
        #expect(p.levels[0].transport.capturedPayloadLength == 2)
    }

    @Test func zeroLengthOnlyOverIPv6() {
        let v4 = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1], length: 0)))
        #expect(v4.stop == DecodeStop(.udp, at: 34, .badLength(field: 0)))
        let v6 = decode(eth(type: 0x86DD) + ipv6(next: 17, payload: udp(payload: [1, 2, 3], length: 0)))
        #expect(v6.stop == nil)
        #expect(v6.levels[0].transport.payloadLength == 3)
    }

    @Test func snappedPayload() {
        let full = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: Bytes(repeating: 7, count: 100)))
        let p = decode(Bytes(full.prefix(60)), originalLength: full.count)
        #expect(p.stop == nil)
        #expect(p.isSnapped)
        #expect(p.levels[0].transport.payloadLength == 100)
        #expect(p.levels[0].transport.capturedPayloadLength == 18)
    }
}
