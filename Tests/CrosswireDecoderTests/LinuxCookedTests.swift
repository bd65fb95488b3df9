// Linux cooked captures (SLL, SLL2), BSD loopback (NULL, LOOP) and raw IP link types.

import CrosswireDecoder
import Testing

struct LinuxCookedTests {
    // synthetic-sll2.pcap, frame 4 (`tshark -x -r`): SLL2 (protocol 0x8100, ifindex 0, outgoing), VLAN 42, IPv4, UDP, "sll2-vlan".
    // 0000  81 00 00 00 00 00 00 02 00 01 00 06 02 00 00 00   ................
    // 0010  00 01 00 00 00 2a 08 00 45 00 00 25 00 01 00 00   .....*..E..%....
    // 0020  40 11 f6 c3 c0 00 02 01 c0 00 02 02 9c 40 00 09   @............@..
    // 0030  00 11 f8 07 73 6c 6c 32 2d 76 6c 61 6e            ....sll2-vlan
    static let sll2VLANFrame = hexDump("""
        0000  81 00 00 00 00 00 00 02 00 01 00 06 02 00 00 00
        0010  00 01 00 00 00 2a 08 00 45 00 00 25 00 01 00 00
        0020  40 11 f6 c3 c0 00 02 01 c0 00 02 02 9c 40 00 09
        0030  00 11 f8 07 73 6c 6c 32 2d 76 6c 61 6e
        """)

    // synthetic-sll.pcap, frame 3: SLL (packet type 0, ARPHRD 1, 6-byte address), ARP who-has 192.0.2.2 tell 192.0.2.1.
    // 0000  00 01 00 01 00 06 02 00 00 00 00 01 00 00 08 06   ................
    // 0010  00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00   ................
    // 0020  02 01 00 00 00 00 00 00 c0 00 02 02               ............
    static let sllARPFrame = hexDump("""
        0000  00 01 00 01 00 06 02 00 00 00 00 01 00 00 08 06
        0010  00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00
        0020  02 01 00 00 00 00 00 00 c0 00 02 02
        """)

    @Test func sllFromCapture() {
        let p = decode(Self.sllARPFrame, linkType: .linuxSLL)
        #expect(p.stop == nil)
        #expect(p.layerList == [.linuxSLL, .arp])
        let c = p.levels[0].cooked
        #expect(c?.packetType == 1)
        #expect(c?.hardwareType == 1)
        #expect(c?.addressLength == 6)
        #expect(c?.source == macAddress(macA))
        #expect(c?.protocolType == 0x0806)
        #expect(c?.length == 16)
        #expect(p.levels[0].arp?.operation == 1)
        #expect(p.levels[0].ethernet == nil)
    }

    @Test func sllIPv6() {
        let frame = sll(packetType: 4, protocolType: 0x86DD) + ipv6(next: 17, payload: udp(dport: 4000))
        let p = decode(frame, linkType: .linuxSLL)
        #expect(p.stop == nil)
        #expect(p.layerList == [.linuxSLL, .ipv6, .udp])
        #expect(p.layers[1].offset == 16)
        #expect(p.levels[0].ip?.destination == ip6("2001:db8::2"))
    }

    @Test func sll2FromCapture() {
        let p = decode(Self.sll2VLANFrame, linkType: .linuxSLL2)
        #expect(p.stop == nil)
        #expect(p.layerList == [.linuxSLL2, .vlan, .ipv4, .udp])
        let c = p.levels[0].cooked
        #expect(c?.protocolType == 0x8100)
        #expect(c?.hardwareType == 1)
        #expect(c?.packetType == 0)
        #expect(c?.interfaceIndex == 2)
        #expect(c?.length == 20)
        #expect(p.levels[0].vlanCount == 1)
        #expect(p.levels[0].vlans[0].id == 42)
        #expect(p.levels[0].transport.payloadLength == 9)
        #expect(p.field(.sllInterfaceIndex) == "2")
    }

    @Test func sll2Built() {
        let frame = sll2(protocolType: 0x0800, interface: 9, hardwareType: 772, packetType: 4) + ipv4(proto: 1, payload: icmp(type: 8))
        let p = decode(frame, linkType: .linuxSLL2)
        #expect(p.stop == nil)
        #expect(p.layerList == [.linuxSLL2, .ipv4, .icmp])
        #expect(p.levels[0].cooked?.interfaceIndex == 9)
        #expect(p.levels[0].cooked?.hardwareType == 772)
        #expect(p.levels[0].cooked?.packetType == 4)
    }

    @Test func cookedHeadersTruncated() {
        let p1 = decode(Bytes(sll(protocolType: 0x0800).prefix(15)), linkType: .linuxSLL)
        #expect(p1.stop == DecodeStop(.linuxSLL, at: 0, .truncated(needed: 16, available: 15)))
        #expect(p1.layerCount == 0)
        let p2 = decode(Bytes(sll2(protocolType: 0x0800).prefix(19)), linkType: .linuxSLL2)
        #expect(p2.stop == DecodeStop(.linuxSLL2, at: 0, .truncated(needed: 20, available: 19)))
    }

    @Test func sllLLCProtocolIsUnsupported() {
        // Protocol 4: 802.2 LLC frames, which the decoder does not walk.
        let p = decode(sll(protocolType: 4) + [0x42, 0x42, 0x03], linkType: .linuxSLL)
        #expect(p.layerList == [.linuxSLL])
        #expect(p.stop == DecodeStop(.payload, at: 16, .unsupported(4)))
    }

    @Test(arguments: [
        (le32(2), LinkType.null, EtherType.ipv4),  // Linux/x86 host order
        (be32(2), LinkType.null, EtherType.ipv4),  // a big-endian host
        (be32(2), LinkType.loop, EtherType.ipv4),  // OpenBSD DLT_LOOP, network order
        (le32(30), LinkType.null, EtherType.ipv6),  // Darwin AF_INET6
        (be32(24), LinkType.loop, EtherType.ipv6),  // OpenBSD AF_INET6
        (le32(28), LinkType.null, EtherType.ipv6),  // FreeBSD AF_INET6
        (le32(10), LinkType.null, EtherType.ipv6),  // Linux AF_INET6
    ])
    func loopbackBothByteOrders(family: Bytes, linkType: LinkType, etherType: UInt16) {
        let ip = etherType == EtherType.ipv4 ? ipv4(proto: 17, payload: udp()) : ipv6(next: 17, payload: udp())
        let p = decode(family + ip, linkType: linkType)
        #expect(p.stop == nil)
        #expect(p.layerList == [.null, etherType == EtherType.ipv4 ? .ipv4 : .ipv6, .udp])
        #expect(p.levels[0].etherType == etherType)
        #expect(p.levels[0].ip?.offset == 4)
    }

    @Test func loopbackUnknownFamily() {
        let p = decode(le32(99) + ipv4(proto: 17, payload: udp()), linkType: .null)
        #expect(p.stop == DecodeStop(.null, at: 0, .unsupported(99)))
        #expect(p.layerCount == 0)
        let cut = decode([2, 0, 0], linkType: .null)
        #expect(cut.stop == DecodeStop(.null, at: 0, .truncated(needed: 4, available: 3)))
    }

    @Test(arguments: [LinkType.raw, .rawOpenBSD, .rawLinkType])
    func rawPicksVersionFromFirstNibble(linkType: LinkType) {
        let p4 = decode(ipv4(proto: 17, payload: udp()), linkType: linkType)
        #expect(p4.stop == nil)
        #expect(p4.layerList == [.ipv4, .udp])
        let p6 = decode(ipv6(next: 17, payload: udp()), linkType: linkType)
        #expect(p6.stop == nil)
        #expect(p6.layerList == [.ipv6, .udp])
        let bad = decode([0x50] + Bytes(repeating: 0, count: 39), linkType: linkType)
        #expect(bad.stop == DecodeStop(.ipv4, at: 0, .badVersion(5)))
    }

    @Test func rawIPv4AndIPv6LinkTypes() {
        let p4 = decode(ipv4(proto: 6, payload: tcp()), linkType: .ipv4)
        #expect(p4.stop == nil)
        #expect(p4.layerList == [.ipv4, .tcp])
        let p6 = decode(ipv6(next: 58, payload: icmp(type: 128)), linkType: .ipv6)
        #expect(p6.stop == nil)
        #expect(p6.layerList == [.ipv6, .icmpv6])
        // The link type says IPv4; an IPv6 header there has the wrong version.
        let wrong = decode(ipv6(next: 17, payload: udp()), linkType: .ipv4)
        #expect(wrong.stop == DecodeStop(.ipv4, at: 0, .badVersion(6)))
    }

    @Test func unsupportedLinkType() {
        let p = decode([1, 2, 3, 4], linkType: LinkType(rawValue: 147))
        #expect(p.stop == DecodeStop(.payload, at: 0, .unsupported(147)))
        #expect(LinkType(rawValue: 147).isSupported == false)
        #expect(LinkType.linuxSLL2.description == "LINUX_SLL2")
    }
}
