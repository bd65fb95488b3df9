// ICMP (RFC 792) and ICMPv6 (RFC 4443), including the packet an error quotes.

import CrosswireDecoder
import Testing

struct ICMPTests {
    // sll2-loopback-capture.pcap, frame 1 (`tshark -x -r`): SLL2 on lo, ICMP echo request id 0x07be seq 1.
    // 0000  08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00   ................
    // 0010  00 00 00 00 45 00 00 54 a6 db 40 00 40 01 95 cb   ....E..T..@.@...
    // 0020  7f 00 00 01 7f 00 00 01 08 00 17 e6 07 be 00 01   ................
    // 0030  ff bf 0a 6b 00 00 00 00 0e 5d 01 00 00 00 00 00   ...k.....]......
    // 0040  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f   ................
    // 0050  20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f    !"#$%&'()*+,-./
    // 0060  30 31 32 33 34 35 36 37                           01234567
    static let echoRequest = hexDump("""
        0000  08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00
        0010  00 00 00 00 45 00 00 54 a6 db 40 00 40 01 95 cb
        0020  7f 00 00 01 7f 00 00 01 08 00 17 e6 07 be 00 01
        0030  ff bf 0a 6b 00 00 00 00 0e 5d 01 00 00 00 00 00
        0040  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
        0050  20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
        0060  30 31 32 33 34 35 36 37
        """)

    @Test func echoFromCapture() {
        let p = decode(Self.echoRequest, linkType: .linuxSLL2)
        #expect(p.stop == nil)
        #expect(p.layerList == [.linuxSLL2, .ipv4, .icmp])
        #expect(p.levelCount == 1)
        #expect(p.levels[0].cooked?.hardwareType == 772)
        #expect(p.levels[0].ip?.source == ip4(127, 0, 0, 1))
        #expect(p.levels[0].ip?.dontFragment == true)
        let t = p.levels[0].transport
        #expect(t.kind == .icmp)
        #expect(t.icmpType == 8)
        #expect(t.icmpCode == 0)
        #expect(t.icmpRest == 0x07BE_0001)
        #expect(t.payloadLength == 56)
        let h = parse(Bytes(Self.echoRequest[40...])) { s throws(DecodeStop) in try ICMPHeader.parse(s, at: 0, layer: .icmp) }.value
        #expect(h?.identifier == 0x07BE)
        #expect(h?.sequence == 1)
    }

    @Test func echoReplyIsNotAnError() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 0, rest: 0x0001_0002, payload: hostA + hostB)))
        #expect(p.stop == nil)
        #expect(p.levelCount == 1)
        #expect(p.layerList == [.ethernet, .ipv4, .icmp])
    }

    @Test func destinationUnreachableQuotesThePacket() {
        // Port unreachable from 192.0.2.2 about a UDP datagram 192.0.2.1:40000 → 192.0.2.2:33434 of 100 bytes,
        // quoted as its IP header and first 8 bytes.
        let original = ipv4(src: hostA, dst: hostB, proto: 17, payload: udp(sport: 40000, dport: 33434, length: 80), totalLength: 100)
        let frame = eth(type: 0x0800) + ipv4(src: hostB, dst: hostA, proto: 1, payload: icmp(type: 3, code: 3, payload: original))
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .icmp, .ipv4, .udp])
        #expect(p.levelCount == 2)
        #expect(p.levels[0].origin == .frame)
        #expect(p.levels[0].transport.icmpType == 3)
        #expect(p.levels[0].transport.icmpCode == 3)
        #expect(p.levels[0].tunnel == nil)
        let quote = p.levels[1]
        #expect(quote.origin == .icmpQuote)
        #expect(quote.ip?.source == ip4(192, 0, 2, 1))
        #expect(quote.ip?.destination == ip4(192, 0, 2, 2))
        #expect(quote.ip?.offset == 14 + 20 + 8)
        #expect(quote.transport.kind == .udp)
        #expect(quote.transport.sourcePort == 40000)
        #expect(quote.transport.destinationPort == 33434)
        #expect(p.records.map(\.level) == [0, 0, 0, 1, 1])
        // The innermost IP that is not a quote is the outer one.
        #expect(p.innermostIPLevel == 0)
        // tshark lists both ICMP-carrying IP headers.
        #expect(p.field(.ipSource) == "192.0.2.2,192.0.2.1")
        #expect(p.field(.udpDestinationPort) == "33434")
    }

    @Test func timeExceededQuotesTCPWithOnlyItsFirstBytes() {
        // A quote cut after the TCP sequence number: ports and sequence are still read.
        let original = Bytes(ipv4(proto: 6, payload: tcp(sport: 5555, dport: 443, seq: 0xDEAD_BEEF)).prefix(28))
        let frame = eth(type: 0x0800) + ipv4(src: [10, 9, 9, 9], dst: hostA, proto: 1, payload: icmp(type: 11, payload: original))
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .icmp, .ipv4, .tcp])
        #expect(p.levels[1].transport.kind == .tcp)
        #expect(p.levels[1].transport.destinationPort == 443)
        #expect(p.levels[1].transport.sequence == 0xDEAD_BEEF)
    }

    @Test func quoteCutInsideThePortsIsTruncated() {
        let original = Bytes(ipv4(proto: 17, payload: udp(sport: 1, dport: 2)).prefix(22))
        let frame = eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 3, code: 1, payload: original))
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4, .icmp, .ipv4])
        #expect(p.stop == DecodeStop(.udp, at: 14 + 20 + 8 + 20, .truncated(needed: 4, available: 2)))
    }

    @Test func icmpv6PacketTooBig() {
        // Packet too big, MTU 1280, quoting an IPv6 TCP segment of 1452 bytes payload.
        let original = Bytes(ipv6(src: v6A, dst: v6("2001:db8:ffff::7"), next: 6, payload: tcp(sport: 443, dport: 51000), payloadLength: 1452))
        let frame = eth(type: 0x86DD) + ipv6(src: v6("2001:db8::fe"), dst: v6A, next: 58, payload: icmp(type: 2, rest: 1280, payload: original))
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .icmpv6, .ipv6, .tcp])
        #expect(p.levels[0].transport.kind == .icmpv6)
        #expect(p.levels[0].transport.icmpType == 2)
        #expect(p.levels[0].transport.icmpRest == 1280)
        #expect(p.levelCount == 2)
        #expect(p.levels[1].origin == .icmpQuote)
        #expect(p.levels[1].ip?.destination == ip6("2001:db8:ffff::7"))
        #expect(p.levels[1].transport.sourcePort == 443)
        #expect(p.field(.icmpv6Type) == "2")
    }

    @Test func icmpv6EchoAndNeighbourDiscoveryDoNotQuote() {
        for type: UInt8 in [128, 129, 135, 136] {
            let p = decode(eth(type: 0x86DD) + ipv6(next: 58, payload: icmp(type: type, payload: v6B)))
            #expect(p.stop == nil)
            #expect(p.levelCount == 1)
            #expect(p.levels[0].transport.icmpType == type)
        }
    }

    @Test func truncatedICMP() {
        let full = eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 8))
        let p = decode(Bytes(full.prefix(40)), originalLength: full.count)
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.icmp, at: 34, .truncated(needed: 8, available: 6)))
    }
}
