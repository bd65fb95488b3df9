// ARP (RFC 826).

import CrosswireDecoder
import Testing

struct ARPTests {
    @Test func requestFromCapture() {
        // synthetic-sll.pcap, frame 3, from its ARP header on (byte 0x10):
        // 0010  00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00   ................
        // 0020  02 01 00 00 00 00 00 00 c0 00 02 02               ............
        let bytes = hexDump("""
            0010  00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00
            0020  02 01 00 00 00 00 00 00 c0 00 02 02
            """)
        let h = parse(bytes) { s throws(DecodeStop) in try ARPHeader.parse(s, at: 0) }.value
        #expect(h?.hardwareType == 1)
        #expect(h?.protocolType == 0x0800)
        #expect(h?.operation == 1)
        #expect(h?.isEthernetIPv4 == true)
        #expect(h?.senderMAC == macAddress(macA))
        #expect(h?.senderIP == IPv4Address(192, 0, 2, 1))
        #expect(h?.targetMAC == .zero)
        #expect(h?.targetIP == IPv4Address(192, 0, 2, 2))
        #expect(h?.length == 28)
    }

    @Test func replyOverEthernet() {
        let frame = eth(dst: macA, src: macB, type: 0x0806)
            + arp(op: 2, senderMAC: macB, senderIP: hostB, targetMAC: macA, targetIP: hostA) + Bytes(repeating: 0, count: 18)
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .arp])
        #expect(p.levels[0].etherType == 0x0806)
        let a = p.levels[0].arp
        #expect(a?.operation == 2)
        #expect(a?.senderMAC == macAddress(macB))
        #expect(a?.targetMAC == macAddress(macA))
        #expect(p.field(.arpSourceIP) == "192.0.2.2")
        #expect(p.field(.arpTargetMAC) == "02:00:00:00:00:01")
        #expect(p.levels[0].ip == nil)
    }

    @Test func arpInsideVLAN() {
        let frame = eth(dst: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], type: 0x8100) + tag(id: 7, type: 0x0806)
            + arp(op: 1, senderIP: hostA, targetIP: hostB)
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .vlan, .arp])
        #expect(p.levels[0].ethernet?.destination == .broadcast)
    }

    @Test func nonEthernetIPv4AddressesLeftZero() {
        // Hardware length 8, protocol length 4 (e.g. an IEEE 1394 ARP): walked, addresses not decoded.
        let bytes = be16(24) + be16(0x0800) + [8, 4] + be16(1) + Bytes(repeating: 0x11, count: 2 * (8 + 4))
        let h = parse(bytes) { s throws(DecodeStop) in try ARPHeader.parse(s, at: 0) }.value
        #expect(h?.length == 32)
        #expect(h?.isEthernetIPv4 == false)
        #expect(h?.senderIP == .any)
        #expect(h?.senderMAC == .zero)
    }

    @Test func truncated() {
        let full = arp(op: 1, senderIP: hostA, targetIP: hostB)
        let fixed = parse(Bytes(full.prefix(7))) { s throws(DecodeStop) in try ARPHeader.parse(s, at: 0) }
        #expect(fixed.error == DecodeStop(.arp, at: 0, .truncated(needed: 8, available: 7)))
        let addresses = parse(Bytes(full.prefix(27))) { s throws(DecodeStop) in try ARPHeader.parse(s, at: 0) }
        #expect(addresses.error == DecodeStop(.arp, at: 0, .truncated(needed: 28, available: 27)))
        let p = decode(eth(type: 0x0806) + Bytes(full.prefix(20)))
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.arp, at: 14, .truncated(needed: 28, available: 20)))
    }
}
