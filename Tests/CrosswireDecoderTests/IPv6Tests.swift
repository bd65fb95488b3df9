// IPv6 (RFC 8200) and its extension headers.

import CrosswireDecoder
import Testing

struct IPv6Tests {
    // synthetic-vlan-qinq.pcap, frame 3 (`tshark -x -r`): Ethernet, 802.1Q (PCP 5, VLAN 4094),
    // IPv6 2001:db8::1 → 2001:db8::2, UDP 40000 → 9, "v6".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 81 00 af fe   ................
    // 0010  86 dd 60 00 00 00 00 0a 11 40 20 01 0d b8 00 00   ..`......@ .....
    // 0020  00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00   .......... .....
    // 0030  00 00 00 00 00 00 00 00 00 02 9c 40 00 09 00 0a   ...........@....
    // 0040  91 e5 76 36                                       ..v6
    static let udpFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 81 00 af fe
        0010  86 dd 60 00 00 00 00 0a 11 40 20 01 0d b8 00 00
        0020  00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00
        0030  00 00 00 00 00 00 00 00 00 02 9c 40 00 09 00 0a
        0040  91 e5 76 36
        """)

    @Test func fromCapture() {
        let p = decode(Self.udpFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .vlan, .ipv6, .udp])
        #expect(p.levels[0].vlans[0].priority == 5)
        #expect(p.levels[0].vlans[0].id == 4094)
        let ip = p.levels[0].ip
        #expect(ip?.version == 6)
        #expect(ip?.offset == 18)
        #expect(ip?.source == ip6("2001:db8::1"))
        #expect(ip?.destination == ip6("2001:db8::2"))
        #expect(ip?.ttl == 64)
        #expect(ip?.totalLength == 50)
        #expect(ip?.headerLength == 40)
        #expect(p.levels[0].transport.payloadLength == 2)
    }

    @Test func deconstruct() {
        let bytes = ipv6(next: 6, payload: tcp(), hopLimit: 9, flowLabel: 0xABCDE)
        let h = parse(bytes) { s throws(DecodeStop) in try IPv6Header.parse(s, at: 0) }.value
        #expect(h?.flowLabel == 0xABCDE)
        #expect(h?.hopLimit == 9)
        #expect(h?.payloadLength == 20)
        #expect(h?.nextHeader == 6)
        #expect(h?.trafficClass == 0)
        var v = bytes
        v[0] = 0x40
        let bad = parse(v) { s throws(DecodeStop) in try IPv6Header.parse(s, at: 0) }
        #expect(bad.error == DecodeStop(.ipv6, at: 0, .badVersion(4)))
        let cut = parse(Bytes(bytes.prefix(39))) { s throws(DecodeStop) in try IPv6Header.parse(s, at: 0) }
        #expect(cut.error == DecodeStop(.ipv6, at: 0, .truncated(needed: 40, available: 39)))
    }

    @Test func extensionHeaderChain() {
        // Hop-by-hop → routing → destination options → fragment (first, M set) → AH → UDP.
        let routing: Bytes = [60, 2, 0, 1, 0, 0, 0, 0] + v6("2001:db8::99")  // type 0, 1 segment left: 24 bytes
        let chain = ipv6Options(next: 43, body: [5, 2, 0, 0])  // router alert
            + routing
            + ipv6Options(next: 44)
            + ipv6Fragment(next: 51, offset: 0, more: true, id: 0xCAFE)
            + ipv6AH(next: 17)
            + udp(sport: 500, dport: 4500, payload: [1, 2, 3, 4])
        let p = decode(eth(type: 0x86DD) + ipv6(next: 0, payload: chain))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .ipv6HopByHop, .ipv6Routing, .ipv6DestinationOptions, .ipv6Fragment, .ipv6AH, .udp])
        #expect(p.records.map(\.offset) == [0, 14, 54, 62, 86, 94, 102, 126])
        let ip = p.levels[0].ip
        #expect(ip?.protocolNumber == 17)
        #expect(ip?.headerLength == 40 + 8 + 24 + 8 + 8 + 24)
        #expect(ip?.isFragment == true)
        #expect(ip?.moreFragments == true)
        #expect(ip?.identification == 0xCAFE)
        #expect(p.levels[0].transport.sourcePort == 500)
        #expect(p.field(.ipv6NextHeader) == "17")
    }

    @Test func extensionHeaderParse() {
        let frag = parse(ipv6Fragment(next: 17, offset: 185, more: true, id: 7)) { s throws(DecodeStop) in
            try IPv6ExtensionHeader.parse(s, kind: 44, at: 0, end: 8)
        }.value
        #expect(frag?.length == 8)
        #expect(frag?.fragmentOffset == 185)
        #expect(frag?.moreFragments == true)
        #expect(frag?.identification == 7)
        #expect(frag?.layer == .ipv6Fragment)
        let ah = parse(ipv6AH(next: 6, icv: 12)) { s throws(DecodeStop) in try IPv6ExtensionHeader.parse(s, kind: 51, at: 0, end: 24) }
        #expect(ah.value?.length == 24)
        #expect(ah.value?.nextHeader == 6)
    }

    @Test func badExtensionLength() {
        // A destination-options header claiming 8 × (20 + 1) bytes in a 48-byte payload.
        let payload = ipv6Options(next: 17, extLength: 20) + udp()
        let p = decode(eth(type: 0x86DD) + ipv6(next: 60, payload: payload))
        #expect(p.layerList == [.ethernet, .ipv6])
        #expect(p.stop == DecodeStop(.ipv6DestinationOptions, at: 54, .badLength(field: 168)))
        #expect(p.isMalformed)
        // The same header in a capture cut short by the snapshot length is reported as cut.
        let long = ipv6Options(next: 17, body: Bytes(repeating: 0, count: 166)) + udp()
        let full = eth(type: 0x86DD) + ipv6(next: 60, payload: long)
        let cut = decode(Bytes(full.prefix(100)), originalLength: full.count)
        #expect(cut.stop == DecodeStop(.ipv6DestinationOptions, at: 54, .truncated(needed: 168, available: 46)))
    }

    @Test func laterFragment() {
        let payload = ipv6Fragment(next: 17, offset: 181, more: false, id: 99) + Bytes(repeating: 0x55, count: 64)
        let p = decode(eth(type: 0x86DD) + ipv6(next: 44, payload: payload))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .ipv6Fragment, .payload])
        #expect(p.layers[3].offset == 14 + 48)
        let ip = p.levels[0].ip
        #expect(ip?.isFragment == true)
        #expect(ip?.fragmentOffset == 181)
        #expect(ip?.moreFragments == false)
        #expect(ip?.carriesTransportHeader == false)
        #expect(p.levels[0].transport.kind == .none)
    }

    @Test func jumboPayloadLengthZero() {
        // RFC 2675: Payload Length 0, a hop-by-hop Jumbo Payload option, UDP Length 0.
        let data = Bytes(repeating: 0x6A, count: 70_000)
        let jumbo: Bytes = [0xC2, 4] + be32(UInt32(8 + 8 + data.count))
        let payload = ipv6Options(next: 17, body: jumbo) + udp(payload: [], length: 0) + data
        let p = decode(eth(type: 0x86DD) + ipv6(next: 0, payload: payload, payloadLength: 0))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .ipv6HopByHop, .udp])
        #expect(p.levels[0].ip?.lengthFromFrame == true)
        #expect(p.levels[0].ip?.totalLength == 40 + 8 + 8 + 70_000)
        #expect(p.levels[0].transport.payloadLength == 70_000)
    }

    @Test func noNextHeader() {
        let p = decode(eth(type: 0x86DD) + ipv6(next: 59))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6])
        #expect(p.levels[0].ip?.totalLength == 40)
    }

    @Test func payloadLengthBeyondFrame() {
        let p = decode(eth(type: 0x86DD) + ipv6(next: 17, payload: udp(), payloadLength: 500))
        #expect(p.layerList == [.ethernet, .ipv6])
        #expect(p.stop == DecodeStop(.ipv6, at: 14, .badLength(field: 500)))
    }

    @Test func tooManyExtensionHeaders() {
        var chain: Bytes = []
        for _ in 0..<17 { chain += ipv6Options(next: 60) }
        chain += udp()
        let p = decode(eth(type: 0x86DD) + ipv6(next: 60, payload: chain))
        #expect(p.stop?.layer == .ipv6)
        #expect(p.stop?.reason == .badField(60))
        #expect(p.layerCount == 2 + 16)
    }
}
