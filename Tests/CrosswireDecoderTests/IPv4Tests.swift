// IPv4 (RFC 791): header fields, options, length checks, fragments.

import CrosswireDecoder
import Testing

struct IPv4Tests {
    // synthetic-ipv4-frag.pcap, frame 1 (`tshark -x -r`): first fragment (MF, offset 0, ID 0x1234) of a UDP datagram
    // whose UDP length (56) is longer than this fragment.
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 2c 12 34 20 00 40 11 c4 89 c0 00 02 01 c0 00   .,.4 .@.........
    // 0020  02 02 9c 40 00 09 00 38 b4 ee 00 01 02 03 04 05   ...@...8........
    // 0030  06 07 08 09 0a 0b 0c 0d 0e 0f                     ..........
    static let firstFragment = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 2c 12 34 20 00 40 11 c4 89 c0 00 02 01 c0 00
        0020  02 02 9c 40 00 09 00 38 b4 ee 00 01 02 03 04 05
        0030  06 07 08 09 0a 0b 0c 0d 0e 0f
        """)

    // synthetic-ipv4-frag.pcap, frame 2: the second fragment (offset 3 × 8 = 24 bytes, MF still set).
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 2c 12 34 20 03 40 11 c4 86 c0 00 02 01 c0 00   .,.4 .@.........
    // 0020  02 02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d   ................
    // 0030  1e 1f 20 21 22 23 24 25 26 27                     .. !"#$%&'
    static let laterFragment = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 2c 12 34 20 03 40 11 c4 86 c0 00 02 01 c0 00
        0020  02 02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
        0030  1e 1f 20 21 22 23 24 25 26 27
        """)

    @Test func deconstruct() {
        let bytes = ipv4(src: [10, 0, 0, 1], dst: [10, 0, 0, 2], proto: 6, payload: tcp(), id: 0xBEEF, ttl: 17, df: true)
        let h = parse(bytes) { s throws(DecodeStop) in try IPv4Header.parse(s, at: 0) }.value
        #expect(h?.headerLength == 20)
        #expect(h?.totalLength == 40)
        #expect(h?.identification == 0xBEEF)
        #expect(h?.dontFragment == true)
        #expect(h?.moreFragments == false)
        #expect(h?.fragmentOffset == 0)
        #expect(h?.isFragment == false)
        #expect(h?.ttl == 17)
        #expect(h?.protocolNumber == 6)
        #expect(h?.source == IPv4Address(10, 0, 0, 1))
        #expect(h?.destination == IPv4Address(10, 0, 0, 2))
    }

    @Test func levelFields() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2, 3, 4]), id: 7, ttl: 3))
        #expect(p.stop == nil)
        let ip = p.levels[0].ip
        #expect(ip?.version == 4)
        #expect(ip?.offset == 14)
        #expect(ip?.headerLength == 20)
        #expect(ip?.totalLength == 32)
        #expect(ip?.identification == 7)
        #expect(ip?.ttl == 3)
        #expect(ip?.protocolNumber == 17)
        #expect(ip?.lengthFromFrame == false)
        #expect(ip?.carriesTransportHeader == true)
    }

    @Test func optionsAreWalked() {
        // NOP, NOP, Record Route (type 7, length 11, pointer 4, two slots), End — 16 bytes in all.
        let options: Bytes = [1, 1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: options))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        #expect(p.levels[0].ip?.headerLength == 36)
        #expect(p.levels[0].transport.offset == 14 + 36)
        // Router alert (type 148, length 4), then End and padding.
        let ra: Bytes = [148, 4, 0, 0]
        #expect(decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: ra)).stop == nil)
    }

    @Test func badOptionLength() {
        // Record Route claiming 12 bytes where only 8 remain in the header.
        let tooLong: Bytes = [7, 12, 4, 0, 0, 0, 0, 0]
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: tooLong))
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 12)))
        // An option length below 2 cannot make progress.
        let zero: Bytes = [1, 7, 0, 0]
        let z = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: zero))
        #expect(z.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 0)))
        // A type-length-value option whose length byte would lie past the header.
        let cut: Bytes = [1, 1, 1, 7]
        let c = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: cut))
        #expect(c.stop == DecodeStop(.ipv4, at: 14, .badField(7)))
    }

    @Test func ihlBelowFive() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), ihl: 4))
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 4)))
        #expect(p.isMalformed)
    }

    @Test func badVersion() {
        var bytes = ipv4(proto: 17, payload: udp())
        bytes[0] = 0x65
        let p = decode(eth(type: 0x0800) + bytes)
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badVersion(6)))
    }

    @Test func totalLengthBelowHeaderLength() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), totalLength: 19))
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 19)))
        // With options, the total length must cover them too.
        let o = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: [1, 1, 1, 0], totalLength: 22))
        #expect(o.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 22)))
    }

    @Test func totalLengthBeyondFrame() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), totalLength: 200))
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 200)))
        // When the capture was cut by the snapshot length, the same length is fine.
        let snapped = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), totalLength: 200), originalLength: 214)
        #expect(snapped.stop == nil)
        #expect(snapped.isSnapped)
        #expect(snapped.levels[0].transport.kind == .udp)
    }

    @Test func totalLengthZeroUsesTheFrame() {
        // TSO / GRO: the stack hands the capture a packet whose Total Length is 0.
        let segment = tcp(flags: 0x018, payload: Bytes(repeating: 0x61, count: 3000))
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: segment, totalLength: 0))
        #expect(p.stop == nil)
        #expect(p.levels[0].ip?.lengthFromFrame == true)
        #expect(p.levels[0].ip?.totalLength == 20 + 20 + 3000)
        #expect(p.levels[0].transport.payloadLength == 3000)
    }

    @Test func ethernetPaddingExcludedFromPayload() {
        // A 42-byte frame padded to the 60-byte Ethernet minimum.
        let frame = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [0x41])) + Bytes(repeating: 0, count: 17)
        #expect(frame.count == 60)
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.levels[0].ip?.totalLength == 29)
        #expect(p.levels[0].transport.payloadLength == 1)
        #expect(p.levels[0].transport.capturedPayloadLength == 1)
        // TCP takes its payload length from the IP total length, not the frame.
        let t = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(flags: 0x010)) + Bytes(repeating: 0, count: 6))
        #expect(t.stop == nil)
        #expect(t.levels[0].transport.payloadLength == 0)
        #expect(t.levels[0].transport.capturedPayloadLength == 0)
    }

    @Test func noTransportHeaderDecodedFromPadding() {
        // IPv4 says 20 bytes (no payload) and ICMP; the frame's padding must not be read as an ICMP header.
        let frame = eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 8) + Bytes(repeating: 0, count: 18), totalLength: 20)
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 20)))
        #expect(p.levels[0].transport.kind == .none)
    }

    @Test func firstFragmentCarriesTransport() {
        let p = decode(Self.firstFragment)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        let ip = p.levels[0].ip
        #expect(ip?.isFragment == true)
        #expect(ip?.moreFragments == true)
        #expect(ip?.dontFragment == false)
        #expect(ip?.fragmentOffset == 0)
        #expect(ip?.identification == 0x1234)
        #expect(ip?.carriesTransportHeader == true)
        // The UDP length (56) covers the whole datagram; only this fragment's part is here.
        #expect(p.levels[0].transport.kind == .udp)
        #expect(p.levels[0].transport.destinationPort == 9)
        #expect(p.levels[0].transport.payloadLength == 16)
    }

    @Test func laterFragmentCarriesNoTransport() {
        let p = decode(Self.laterFragment)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .payload])
        #expect(p.layers[2].offset == 34)
        let ip = p.levels[0].ip
        #expect(ip?.isFragment == true)
        #expect(ip?.moreFragments == true)
        #expect(ip?.fragmentOffset == 3)
        #expect(ip?.carriesTransportHeader == false)
        #expect(p.levels[0].transport.kind == .none)
        #expect(p.field(.ipFragmentOffset) == "3")
    }

    @Test func dontFragmentAndOffsets() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 6, payload: Bytes(repeating: 0, count: 8), mf: true, fragmentOffset: 0x1FFF))
        #expect(p.levels[0].ip?.fragmentOffset == 0x1FFF)
        #expect(p.levels[0].ip?.moreFragments == true)
        #expect(p.field(.ipFragmentOffset) == "8191")
        let df = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), df: true))
        #expect(df.levels[0].ip?.dontFragment == true)
        #expect(df.levels[0].ip?.isFragment == false)
    }

    @Test func truncatedHeader() {
        let full = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), options: [1, 1, 1, 0])
        let p = decode(Bytes(full.prefix(14 + 22)), originalLength: full.count)
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .truncated(needed: 24, available: 22)))
    }

    @Test func unknownProtocolIsUnsupported() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 253, payload: [1, 2, 3]))
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.payload, at: 34, .unsupported(253)))
    }
}
