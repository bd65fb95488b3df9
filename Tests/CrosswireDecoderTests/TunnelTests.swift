// Tunnels: VXLAN, GENEVE, IP-in-IP (4in4, 6in4, 4in6, 6in6), GRE, VXLAN-GPE with NSH,
// nested encapsulations and the nesting limit.

import CrosswireDecoder
import CrosswireDecoderText
import Testing

struct TunnelTests {
    // synthetic-vxlan-geneve.pcap, frame 1 (`tshark -x -r`): IPv4 UDP 50000 → 4789, VXLAN VNI 5001,
    // inner Ethernet 02:..:04 → 02:..:03, IPv4 198.51.100.1 → 198.51.100.2, UDP 1234 → 5678, "inner".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 53 00 01 00 00 40 11 f6 95 c0 00 02 01 c0 00   .S....@.........
    // 0020  02 02 c3 50 12 b5 00 3f 5c d5 08 00 00 00 00 13   ...P...?\.......
    // 0030  89 00 02 00 00 00 00 03 02 00 00 00 00 04 08 00   ................
    // 0040  45 00 00 21 00 01 00 00 40 11 26 61 c6 33 64 01   E..!....@.&a.3d.
    // 0050  c6 33 64 02 04 d2 16 2e 00 0d 46 95 69 6e 6e 65   .3d.......F.inne
    // 0060  72                                                r
    static let vxlanFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 53 00 01 00 00 40 11 f6 95 c0 00 02 01 c0 00
        0020  02 02 c3 50 12 b5 00 3f 5c d5 08 00 00 00 00 13
        0030  89 00 02 00 00 00 00 03 02 00 00 00 00 04 08 00
        0040  45 00 00 21 00 01 00 00 40 11 26 61 c6 33 64 01
        0050  c6 33 64 02 04 d2 16 2e 00 0d 46 95 69 6e 6e 65
        0060  72
        """)

    // synthetic-vxlan-geneve.pcap, frame 3: UDP → 6081, GENEVE VNI 0x001b59 with one option
    // (class 0x0101, type 1, 4 bytes de ad be ef), protocol 0x6558: inner Ethernet, IPv4, UDP, "inner".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 5b 00 01 00 00 40 11 f6 8d c0 00 02 01 c0 00   .[....@.........
    // 0020  02 02 c3 52 17 c1 00 47 88 b7 02 00 65 58 00 1b   ...R...G....eX..
    // 0030  59 00 01 01 01 01 de ad be ef 02 00 00 00 00 03   Y...............
    // 0040  02 00 00 00 00 04 08 00 45 00 00 21 00 01 00 00   ........E..!....
    // 0050  40 11 26 61 c6 33 64 01 c6 33 64 02 04 d2 16 2e   @.&a.3d..3d.....
    // 0060  00 0d 46 95 69 6e 6e 65 72                        ..F.inner
    static let geneveEthernetFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 5b 00 01 00 00 40 11 f6 8d c0 00 02 01 c0 00
        0020  02 02 c3 52 17 c1 00 47 88 b7 02 00 65 58 00 1b
        0030  59 00 01 01 01 01 de ad be ef 02 00 00 00 00 03
        0040  02 00 00 00 00 04 08 00 45 00 00 21 00 01 00 00
        0050  40 11 26 61 c6 33 64 01 c6 33 64 02 04 d2 16 2e
        0060  00 0d 46 95 69 6e 6e 65 72
        """)

    // synthetic-vxlan-geneve.pcap, frame 4: GENEVE VNI 0x001b5a, no options, protocol 0x0800: inner IPv4 directly.
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 48 00 01 00 00 40 11 f6 a0 c0 00 02 01 c0 00   .H....@.........
    // 0020  02 02 c3 53 17 c1 00 34 92 de 00 00 08 00 00 1b   ...S...4........
    // 0030  5a 00 45 00 00 24 00 01 00 00 40 11 26 5e c6 33   Z.E..$....@.&^.3
    // 0040  64 01 c6 33 64 02 04 d2 16 2e 00 10 dc f1 69 6e   d..3d.........in
    // 0050  6e 65 72 2d 69 70                                 ner-ip
    static let geneveIPv4Frame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 48 00 01 00 00 40 11 f6 a0 c0 00 02 01 c0 00
        0020  02 02 c3 53 17 c1 00 34 92 de 00 00 08 00 00 1b
        0030  5a 00 45 00 00 24 00 01 00 00 40 11 26 5e c6 33
        0040  64 01 c6 33 64 02 04 d2 16 2e 00 10 dc f1 69 6e
        0050  6e 65 72 2d 69 70
        """)

    // synthetic-6in4.pcap, frame 1: IPv4 protocol 41, IPv6 2001:db8:1::1 → ::2, ICMPv6 echo request, "corpus".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
    // 0010  00 4a 00 14 00 00 40 29 f6 73 c0 00 02 01 c0 00   .J....@).s......
    // 0020  02 02 60 00 00 00 00 0e 3a 40 20 01 0d b8 00 01   ..`.....:@ .....
    // 0030  00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 01   .......... .....
    // 0040  00 00 00 00 00 00 00 00 00 02 80 00 d8 ea 00 01   ................
    // 0050  00 01 63 6f 72 70 75 73                           ..corpus
    static let sixInFourFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
        0010  00 4a 00 14 00 00 40 29 f6 73 c0 00 02 01 c0 00
        0020  02 02 60 00 00 00 00 0e 3a 40 20 01 0d b8 00 01
        0030  00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 01
        0040  00 00 00 00 00 00 00 00 00 02 80 00 d8 ea 00 01
        0050  00 01 63 6f 72 70 75 73
        """)

    // synthetic-4in6.pcap, frame 1: IPv6 next header 4, IPv4 198.51.100.1 → .2, ICMP echo request, "corpus".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00   ..............`.
    // 0010  00 00 00 22 04 40 20 01 0d b8 00 00 00 00 00 00   ...".@ .........
    // 0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
    // 0030  00 00 00 00 00 02 45 00 00 22 00 01 00 00 40 01   ......E.."....@.
    // 0040  26 70 c6 33 64 01 c6 33 64 02 08 00 ac a9 00 02   &p.3d..3d.......
    // 0050  00 01 63 6f 72 70 75 73                           ..corpus
    static let fourInSixFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
        0010  00 00 00 22 04 40 20 01 0d b8 00 00 00 00 00 00
        0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
        0030  00 00 00 00 00 02 45 00 00 22 00 01 00 00 40 01
        0040  26 70 c6 33 64 01 c6 33 64 02 08 00 ac a9 00 02
        0050  00 01 63 6f 72 70 75 73
        """)

    static let innerMACs = (dst: Bytes([0x02, 0, 0, 0, 0, 0x03]), src: Bytes([0x02, 0, 0, 0, 0, 0x04]))

    /// An inner Ethernet/IPv4/UDP frame as carried by VXLAN.
    static func innerFrame(payload: Bytes = Array("inner".utf8)) -> Bytes {
        eth(dst: innerMACs.dst, src: innerMACs.src, type: 0x0800)
            + ipv4(src: [198, 51, 100, 1], dst: [198, 51, 100, 2], proto: 17, payload: udp(sport: 1234, dport: 5678, payload: payload))
    }

    static func vxlanFrame(port: UInt16, vni: UInt32 = 5001) -> Bytes {
        eth(type: 0x0800) + ipv4(proto: 17, payload: udp(sport: 50000, dport: port, payload: vxlan(vni: vni) + innerFrame()))
    }

    // MARK: VXLAN

    @Test func vxlanFromCapture() {
        let p = decode(Self.vxlanFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .udp])
        #expect(p.records.map(\.level) == [0, 0, 0, 0, 1, 1, 1])
        #expect(p.levelCount == 2)
        let outer = p.levels[0], inner = p.levels[1]
        #expect(outer.tunnel?.kind == .vxlan)
        #expect(outer.tunnel?.vni == 5001)
        #expect(outer.tunnel?.udpPort == 4789)
        #expect(outer.tunnel?.offset == 34)
        #expect(outer.tunnel?.headerLength == 16)
        #expect(outer.tunnel?.innerOffset == 50)
        #expect(outer.tunnel?.innerLength == 47)
        #expect(outer.ethernet?.source == macAddress(macA))
        #expect(outer.ip?.source == ip4(192, 0, 2, 1))
        #expect(outer.transport.destinationPort == 4789)
        #expect(inner.origin == .tunnel)
        #expect(inner.ethernet?.source == macAddress(Self.innerMACs.src))
        #expect(inner.ip?.source == ip4(198, 51, 100, 1))
        #expect(inner.transport.sourcePort == 1234)
        #expect(inner.transport.payloadLength == 5)
        #expect(inner.tunnel == nil)
        #expect(p.firstTunnelLevel == 0)
        #expect(p.innermostIPLevel == 1)
        let h = parse(Bytes(Self.vxlanFrame[42..<50])) { s throws(DecodeStop) in try VXLANHeader.parse(s, at: 0) }.value
        #expect(h?.hasValidVNI == true)
        #expect(h?.vni == 5001)
    }

    @Test(arguments: [UInt16(4789), 8472])
    func vxlanStandardPorts(port: UInt16) {
        let p = decode(Self.vxlanFrame(port: port, vni: 0xFFFFFF))
        #expect(p.stop == nil)
        #expect(p.levels[0].tunnel?.kind == .vxlan)
        #expect(p.levels[0].tunnel?.udpPort == port)
        #expect(p.levels[0].tunnel?.vni == 0xFFFFFF)
        #expect(p.levels[1].transport.destinationPort == 5678)
    }

    @Test func vxlanOnAddedPort() {
        let frame = Self.vxlanFrame(port: 4800)
        let plain = decode(frame)
        #expect(plain.stop == nil)
        #expect(plain.levelCount == 1)
        #expect(plain.layerList == [.ethernet, .ipv4, .udp])
        var options = DecoderOptions()
        let added = options.addVXLANPort(4800)
        #expect(added)
        #expect(options.isVXLAN(4800))
        #expect(options.isVXLAN(4789))
        let p = decode(frame, options: options)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .udp])
        #expect(p.levels[0].tunnel?.udpPort == 4800)
    }

    @Test func vxlanPortTableIsBounded() {
        var options = DecoderOptions()
        for port: UInt16 in 5000..<5006 {
            let added = options.addVXLANPort(port)
            #expect(added)
        }
        #expect(options.vxlanPortCount == 8)
        let full = options.addVXLANPort(6000)
        #expect(full == false)
        let present = options.addVXLANPort(4789)  // already there
        #expect(present)
    }

    @Test func vxlanTruncatedHeader() {
        let full = Self.vxlanFrame(port: 4789)
        let p = decode(Bytes(full.prefix(46)), originalLength: full.count)
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        #expect(p.stop == DecodeStop(.vxlan, at: 42, .truncated(needed: 8, available: 4)))
    }

    // MARK: GENEVE

    @Test func geneveWithOptionsCarryingEthernet() {
        let p = decode(Self.geneveEthernetFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .geneve, .ethernet, .ipv4, .udp])
        let t = p.levels[0].tunnel
        #expect(t?.kind == .geneve)
        #expect(t?.vni == 0x1B59)
        #expect(t?.udpPort == 6081)
        #expect(t?.headerLength == 8 + 16)
        #expect(t?.innerOffset == 58)
        #expect(p.levels[1].ethernet?.destination == macAddress(Self.innerMACs.dst))
        #expect(p.levels[1].ip?.destination == ip4(198, 51, 100, 2))
        let g = parse(Bytes(Self.geneveEthernetFrame[42...])) { s throws(DecodeStop) in try GENEVEHeader.parse(s, at: 0) }.value
        #expect(g?.length == 16)
        #expect(g?.optionCount == 1)
        #expect(g?.protocolType == 0x6558)
        #expect(g?.isOAM == false)
    }

    @Test func geneveCarryingIPv4Directly() {
        let p = decode(Self.geneveIPv4Frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .geneve, .ipv4, .udp])
        #expect(p.levels[0].tunnel?.vni == 0x1B5A)
        #expect(p.levels[1].ethernet == nil)
        #expect(p.levels[1].etherType == 0x0800)
        #expect(p.levels[1].transport.payloadLength == 8)
    }

    @Test func geneveBuiltWithTwoOptionsAndAddedPort() {
        let options = geneveOption(data: [1, 2, 3, 4]) + geneveOption(class: 0xFFFF, type: 0x01, data: Bytes(repeating: 9, count: 8))
        let payload = geneve(vni: 77, options: options) + Self.innerFrame()
        let frame = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 7000, payload: payload))
        var decoderOptions = DecoderOptions()
        decoderOptions.addGENEVEPort(7000)
        let p = decode(frame, options: decoderOptions)
        #expect(p.stop == nil)
        #expect(p.levels[0].tunnel?.headerLength == 8 + 8 + 20)
        #expect(p.levels[1].transport.destinationPort == 5678)
    }

    @Test func geneveBadOptionLength() {
        // Options area of 8 bytes; the option claims 4 + 3 × 4 = 16.
        let bad = [2, 0] + be16(0x6558) + be32(1 << 8) + [0x01, 0x02, 0x80, 3, 0, 0, 0, 0] + Self.innerFrame()
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 6081, payload: bad)))
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        #expect(p.stop == DecodeStop(.geneve, at: 42, .badLength(field: 16)))
        var version = geneve(vni: 1) + Self.innerFrame()
        version[0] |= 0x40
        let v = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 6081, payload: version)))
        #expect(v.stop == DecodeStop(.geneve, at: 42, .badVersion(1)))
    }

    // MARK: IP in IP

    @Test func fourInFour() {
        let inner = ipv4(src: [10, 0, 0, 1], dst: [10, 0, 0, 2], proto: 1, payload: icmp(type: 8, rest: 0x0001_0001))
        let p = decode(eth(type: 0x0800) + ipv4(proto: 4, payload: inner))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .ipv4, .icmp])
        #expect(p.levels[0].tunnel?.kind == .ipip)
        #expect(p.levels[0].tunnel?.vni == nil)
        #expect(p.levels[0].tunnel?.headerLength == 0)
        #expect(p.levels[0].tunnel?.innerOffset == 34)
        #expect(p.levels[0].ip?.source == ip4(192, 0, 2, 1))
        #expect(p.levels[1].ip?.source == ip4(10, 0, 0, 1))
        #expect(p.levels[1].ethernet == nil)
        #expect(p.levels[1].transport.kind == .icmp)
        #expect(p.levels[0].transport.kind == .none)
    }

    @Test func sixInFourFromCapture() {
        let p = decode(Self.sixInFourFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .ipv6, .icmpv6])
        #expect(p.levels[0].tunnel?.kind == .sixInFour)
        #expect(p.levels[1].ip?.source == ip6("2001:db8:1::1"))
        #expect(p.levels[1].transport.icmpType == 128)
    }

    @Test func fourInSixFromCapture() {
        let p = decode(Self.fourInSixFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .ipv4, .icmp])
        #expect(p.levels[0].tunnel?.kind == .fourInSix)
        #expect(p.levels[0].ip?.source == ip6("2001:db8::1"))
        #expect(p.levels[1].ip?.source == ip4(198, 51, 100, 1))
    }

    @Test func sixInSix() {
        let inner = ipv6(src: v6("fd00::1"), dst: v6("fd00::2"), next: 17, payload: udp(dport: 53))
        let p = decode(eth(type: 0x86DD) + ipv6(next: 41, payload: inner))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv6, .ipv6, .udp])
        #expect(p.levels[0].tunnel?.kind == .sixInSix)
        #expect(p.levels[0].ip?.destination == ip6("2001:db8::2"))
        #expect(p.levels[1].ip?.destination == ip6("fd00::2"))
        #expect(p.field(.ipv6Destination) == "2001:db8::2,fd00::2")
    }

    // MARK: GRE

    @Test func greWithChecksumKeySequenceCarryingIPv4() {
        let inner = ipv4(src: [10, 1, 1, 1], dst: [10, 1, 1, 2], proto: 17, payload: udp(dport: 53))
        let frame = eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x0800, checksum: 0xBEEF, key: 1001, sequence: 5) + inner)
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .gre, .ipv4, .udp])
        let t = p.levels[0].tunnel
        #expect(t?.kind == .gre)
        #expect(t?.vni == 1001)
        #expect(t?.headerLength == 16)
        #expect(t?.innerOffset == 34 + 16)
        #expect(p.levels[1].ip?.source == ip4(10, 1, 1, 1))
        #expect(p.field(.greKey) == "1001")
        let g = parse(gre(protocolType: 0x0800, checksum: 0xBEEF, key: 1001, sequence: 5)) { s throws(DecodeStop) in
            try GREHeader.parse(s, at: 0)
        }.value
        #expect(g?.checksum == 0xBEEF)
        #expect(g?.key == 1001)
        #expect(g?.sequence == 5)
        #expect(g?.length == 16)
    }

    @Test func greTransparentEthernetBridging() {
        let frame = eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x6558, key: 42) + Self.innerFrame())
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .gre, .ethernet, .ipv4, .udp])
        #expect(p.levels[1].ethernet?.source == macAddress(Self.innerMACs.src))
        #expect(p.levels[0].tunnel?.headerLength == 8)
    }

    @Test func greBadVersionAndUnknownProtocol() {
        let v = decode(eth(type: 0x0800) + ipv4(proto: 47, payload: [0x00, 0x02, 0x08, 0x00] + Bytes(repeating: 0, count: 20)))
        #expect(v.stop == DecodeStop(.gre, at: 34, .badVersion(2)))
        let u = decode(eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x1234) + [1, 2, 3]))
        #expect(u.layerList == [.ethernet, .ipv4, .gre])
        #expect(u.stop == DecodeStop(.gre, at: 34, .unsupported(0x1234)))
    }

    // MARK: VXLAN-GPE and NSH

    @Test func vxlanGPEWithNSH() {
        let inner = ipv4(src: [10, 9, 0, 1], dst: [10, 9, 0, 2], proto: 17, payload: udp(dport: 9999))
        let payload = vxlanGPE(vni: 300, next: 4) + nsh(next: 1, spi: 0x123, si: 254) + inner
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 4790, payload: payload)))
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .vxlanGPE, .nsh, .ipv4, .udp])
        #expect(p.records.map(\.offset) == [0, 14, 34, 42, 50, 74, 94])
        let t = p.levels[0].tunnel
        #expect(t?.kind == .vxlanGPE)
        #expect(t?.vni == 300)
        #expect(t?.headerLength == 8 + 8 + 24)
        #expect(p.levels[1].ip?.source == ip4(10, 9, 0, 1))
        #expect(p.levels[1].transport.destinationPort == 9999)
        let n = parse(nsh(next: 1, spi: 0x123, si: 254)) { s throws(DecodeStop) in try NSHHeader.parse(s, at: 0) }.value
        #expect(n?.length == 24)
        #expect(n?.servicePath == 0x123)
        #expect(n?.serviceIndex == 254)
        #expect(p.field(.vxlanVNI) == "300")
    }

    // MARK: Tunnel headers outside their packet

    @Test func greInEthernetPaddingIsNotDecoded() {
        // IPv4 says 20 bytes (no payload) and GRE; a GRE header and an inner IPv4 sit in the frame's trailing bytes.
        let frame = eth(type: 0x0800)
            + ipv4(proto: 47, payload: gre(protocolType: 0x0800) + ipv4(proto: 17, payload: udp(), totalLength: 0), totalLength: 20)
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.ipv4, at: 14, .badLength(field: 20)))
        #expect(p.levelCount == 1)
    }

    @Test func greHeaderLongerThanItsPacket() {
        // IPv4 carries 4 bytes of a GRE header that needs 8 (a key): the inner packet would start past the end.
        let frame = eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x0800, key: 1) + ipv4(proto: 17, payload: udp()), totalLength: 24)
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4, .gre])
        #expect(p.stop == DecodeStop(.gre, at: 34, .badLength(field: 8)))
    }

    @Test func vxlanLongerThanItsDatagram() {
        // UDP length 8: the VXLAN header and inner frame are outside the datagram.
        let frame = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 4789, payload: vxlan(vni: 1) + Self.innerFrame(), length: 8))
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .vxlan])
        #expect(p.stop == DecodeStop(.vxlan, at: 42, .badLength(field: 8)))
        #expect(p.levelCount == 1)
    }

    @Test func innerLengthFromFramePastTheTunnelEnd() {
        // The datagram ends 4 bytes into the inner Ethernet header; the inner IPv4 says Total Length 0 (take
        // the length from what encloses it), and there is nothing left to take. Field output must not trap.
        let inner = eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(), totalLength: 0)
        let frame = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 4789, payload: vxlan(vni: 1) + inner, length: 20))
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .ipv4, .udp, .vxlan, .ethernet, .ipv4])
        #expect(p.stop == DecodeStop(.ipv4, at: 64, .badLength(field: 0)))
        #expect(p.field(.ipLength) == "90")
        for f in PacketField.allCases where !f.isControlPlane { _ = p.field(f) }
    }

    // MARK: Nesting

    @Test func threeNestedEncapsulationsKeptApart() {
        // GRE (key 77) → IPv4-in-IPv4 → VXLAN (VNI 9) → Ethernet/IPv4/TCP.
        let innermost = eth(dst: Self.innerMACs.dst, src: Self.innerMACs.src, type: 0x0800)
            + ipv4(src: [10, 3, 0, 1], dst: [10, 3, 0, 2], proto: 6, payload: tcp(sport: 1111, dport: 2222))
        let vxlanLevel = ipv4(src: [10, 2, 0, 1], dst: [10, 2, 0, 2], proto: 17, payload: udp(sport: 3333, dport: 4789, payload: vxlan(vni: 9) + innermost))
        let ipipLevel = ipv4(src: [10, 1, 0, 1], dst: [10, 1, 0, 2], proto: 4, payload: vxlanLevel)
        let frame = eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x0800, key: 77) + ipipLevel)
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.levelCount == 4)
        #expect(p.layerList == [.ethernet, .ipv4, .gre, .ipv4, .ipv4, .udp, .vxlan, .ethernet, .ipv4, .tcp])
        #expect(p.records.map(\.level) == [0, 0, 0, 1, 2, 2, 2, 3, 3, 3])
        #expect(p.records.map(\.offset) == [0, 14, 34, 42, 62, 82, 90, 98, 112, 132])

        let l0 = p.levels[0], l1 = p.levels[1], l2 = p.levels[2], l3 = p.levels[3]
        #expect([l0.origin, l1.origin, l2.origin, l3.origin] == [.frame, .tunnel, .tunnel, .tunnel])
        #expect(l0.ethernet?.source == macAddress(macA))
        #expect(l0.ip?.source == ip4(192, 0, 2, 1))
        #expect(l0.tunnel?.kind == .gre)
        #expect(l0.tunnel?.vni == 77)
        #expect(l1.ethernet == nil)
        #expect(l1.ip?.source == ip4(10, 1, 0, 1))
        #expect(l1.tunnel?.kind == .ipip)
        #expect(l2.ip?.source == ip4(10, 2, 0, 1))
        #expect(l2.transport.sourcePort == 3333)
        #expect(l2.tunnel?.kind == .vxlan)
        #expect(l2.tunnel?.vni == 9)
        #expect(l3.ethernet?.source == macAddress(Self.innerMACs.src))
        #expect(l3.ip?.source == ip4(10, 3, 0, 1))
        #expect(l3.transport.kind == .tcp)
        #expect(l3.transport.sourcePort == 1111)
        #expect(l3.tunnel == nil)
        #expect(p.firstTunnelLevel == 0)
        #expect(p.innermostIPLevel == 3)
        #expect(p.field(.ipSource) == "192.0.2.1,10.1.0.1,10.2.0.1,10.3.0.1")
        #expect(p.field(.frameProtocols) == "eth:ip:gre:ip:ip:udp:vxlan:eth:ip:tcp")
    }

    @Test func nestingBeyondMaxLevelsStopsTooDeep() {
        // IP-in-IP nested one level more than the levels kept.
        var packet = ipv4(src: [10, 0, 0, 99], dst: hostB, proto: 17, payload: udp())
        for depth in (0..<DecodedPacket.maxLevels).reversed() {
            packet = ipv4(src: [10, 0, 0, UInt8(depth)], dst: hostB, proto: 4, payload: packet)
        }
        let p = decode(eth(type: 0x0800) + packet)
        #expect(p.levelCount == DecodedPacket.maxLevels)
        let deepest = 14 + 20 * DecodedPacket.maxLevels
        #expect(p.stop == DecodeStop(.payload, at: deepest, .tooDeep))
        #expect(p.isMalformed)
        #expect(p.layerList == [.ethernet] + Array(repeating: Layer.ipv4, count: DecodedPacket.maxLevels))
        #expect(p.levels[DecodedPacket.maxLevels - 1].ip?.source == ip4(10, 0, 0, UInt8(DecodedPacket.maxLevels - 1)))
    }

    @Test func manyNestedVXLANsDoNotCrash() {
        var inner = Self.innerFrame()
        for vni in 1...40 {
            inner = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 4789, payload: vxlan(vni: UInt32(vni)) + inner))
        }
        let p = decode(inner)
        #expect(p.stop?.reason == .tooDeep)
        #expect(p.levelCount == DecodedPacket.maxLevels)
        #expect(p.layerCount <= DecodedPacket.maxLayers)
    }
}
