// TCP (RFC 9293): header fields, options, data offset.

import CrosswireDecoder
import Testing

struct TCPTests {
    // synthetic-ipip.pcap, frame 3 (`tshark -x -r`): IPv4 in IPv4; inner TCP 40001 → 179 SYN, window 64240.
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 3c 00 0c 00 00 40 04 f6 ae c0 00 02 01 c0 00   .<....@.........
    // 0020  02 02 45 00 00 28 00 01 00 00 40 06 26 65 c6 33   ..E..(....@.&e.3
    // 0030  64 01 c6 33 64 02 9c 41 00 b3 00 00 03 e8 00 00   d..3d..A........
    // 0040  00 00 50 02 fa f0 bf aa 00 00                     ..P.......
    static let bgpSYN = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 3c 00 0c 00 00 40 04 f6 ae c0 00 02 01 c0 00
        0020  02 02 45 00 00 28 00 01 00 00 40 06 26 65 c6 33
        0030  64 01 c6 33 64 02 9c 41 00 b3 00 00 03 e8 00 00
        0040  00 00 50 02 fa f0 bf aa 00 00
        """)

    static func parseTCP(_ bytes: Bytes) -> Result<TCPHeader, DecodeStop> {
        parse(bytes) { s throws(DecodeStop) in try TCPHeader.parse(s, at: 0) }
    }

    @Test func synFromCapture() {
        let p = decode(Self.bgpSYN)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .ipv4, .tcp])
        let t = p.levels[1].transport
        #expect(t.kind == .tcp)
        #expect(t.sourcePort == 40001)
        #expect(t.destinationPort == 179)
        #expect(t.sequence == 1000)
        #expect(t.tcpFlags == .syn)
        #expect(t.window == 64240)
        #expect(t.payloadLength == 0)
        // A SYN carries no BGP message.
        #expect(p.application == .none)
    }

    @Test func deconstruct() {
        let h = Self.parseTCP(tcp(sport: 1, dport: 2, seq: 3, ack: 4, flags: 0x1FF, window: 5)).value
        #expect(h?.sourcePort == 1)
        #expect(h?.destinationPort == 2)
        #expect(h?.sequence == 3)
        #expect(h?.acknowledgement == 4)
        #expect(h?.headerLength == 20)
        #expect(h?.flags == [.fin, .syn, .rst, .psh, .ack, .urg, .ece, .cwr, .ae])
        #expect(h?.window == 5)
        #expect(h?.maximumSegmentSize == 0)
        #expect(h?.windowScale == -1)
    }

    @Test func optionsMSSAndWindowScale() {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: Linux's SYN options.
        let options: Bytes = [2, 4, 0x05, 0xB4, 4, 2, 8, 10] + be32(0x1234) + be32(0) + [1, 3, 3, 7]
        let h = Self.parseTCP(tcp(options: options)).value
        #expect(h?.headerLength == 40)
        #expect(h?.maximumSegmentSize == 1460)
        #expect(h?.windowScale == 7)
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(options: options, payload: [0x41])))
        #expect(p.stop == nil)
        #expect(p.levels[0].transport.headerLength == 40)
        #expect(p.levels[0].transport.payloadOffset == 14 + 20 + 40)
        #expect(p.levels[0].transport.payloadLength == 1)
    }

    @Test func sackBlocks() {
        // NOP, NOP, SACK with two blocks (length 18), then four NOPs: 24 bytes of options.
        let sack: Bytes = [1, 1, 5, 18] + be32(100) + be32(200) + be32(300) + be32(400) + [1, 1, 1, 1]
        let h = Self.parseTCP(tcp(flags: 0x010, options: sack)).value
        #expect(h?.headerLength == 44)
        #expect(h?.flags == .ack)
        // SACK whose length is not 2 + 8n is still walked by its length byte.
        #expect(Self.parseTCP(tcp(options: [5, 10] + be32(1) + be32(2) + [0, 0])).value?.headerLength == 32)
    }

    @Test func endOfOptionsStopsTheWalk() {
        // End of options, then bytes that would be a bad option if read.
        let h = Self.parseTCP(tcp(options: [2, 4, 0x02, 0x18, 0, 0x99, 0x99, 0x99])).value
        #expect(h?.maximumSegmentSize == 536)
    }

    @Test func badDataOffset() {
        let r = Self.parseTCP(tcp(dataOffset: 4))
        #expect(r.error == DecodeStop(.tcp, at: 0, .badLength(field: 4)))
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(dataOffset: 2)))
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.tcp, at: 34, .badLength(field: 2)))
        // A data offset past the segment's end, with the bytes there (Ethernet padding).
        let padded = eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(dataOffset: 6)) + [0, 0, 0, 0, 0, 0]
        let q = decode(padded)
        #expect(q.stop == DecodeStop(.tcp, at: 34, .badLength(field: 6)))
    }

    @Test func badOptionLength() {
        // MSS claiming 12 bytes in a 4-byte option area.
        let long = Self.parseTCP(tcp(options: [2, 12, 0x05, 0xB4]))
        #expect(long.error == DecodeStop(.tcp, at: 0, .badLength(field: 12)))
        // A length below 2.
        let short = Self.parseTCP(tcp(options: [1, 1, 8, 1]))
        #expect(short.error == DecodeStop(.tcp, at: 0, .badLength(field: 1)))
        // A kind in the last byte, with no room for its length.
        let cut = Self.parseTCP(tcp(options: [1, 1, 1, 3]))
        #expect(cut.error == DecodeStop(.tcp, at: 0, .badField(3)))
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(options: [2, 12, 0x05, 0xB4])))
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.tcp, at: 34, .badLength(field: 12)))
    }

    @Test func truncatedOptions() {
        let full = eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(options: [2, 4, 0x05, 0xB4]))
        let p = decode(Bytes(full.prefix(14 + 20 + 22)), originalLength: full.count)
        #expect(p.stop == DecodeStop(.tcp, at: 34, .truncated(needed: 24, available: 22)))
    }

    @Test func bgpPayloadIsMarked() {
        let message = Bytes(repeating: 0xFF, count: 16) + be16(19) + [4]
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(sport: 179, dport: 40001, flags: 0x018, payload: message)))
        #expect(p.stop == nil)
        #expect(p.application == .bgp)
        #expect(p.applicationOffset == 54)
        #expect(p.applicationLength == 19)
    }
}
