// Ethernet II, 802.1Q, 802.1ad (QinQ), deep tag stacks and 802.3 length frames.

import CrosswireDecoder
import Testing

struct EthernetTests {
    // synthetic-vlan-qinq.pcap, frame 1 (`tshark -x -r`): Ethernet, 802.1Q VLAN 100, IPv4, UDP 40000 → 9, "vlan".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 81 00 00 64   ...............d
    // 0010  08 00 45 00 00 20 00 01 00 00 40 11 f6 c8 c0 00   ..E.. ....@.....
    // 0020  02 01 c0 00 02 02 9c 40 00 09 00 0c 07 ae 76 6c   .......@......vl
    // 0030  61 6e                                             an
    static let dot1QFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 81 00 00 64
        0010  08 00 45 00 00 20 00 01 00 00 40 11 f6 c8 c0 00
        0020  02 01 c0 00 02 02 9c 40 00 09 00 0c 07 ae 76 6c
        0030  61 6e
        """)

    // synthetic-vlan-qinq.pcap, frame 2: 802.1ad S-tag 200, 802.1Q C-tag 300, IPv4, UDP, "qinq".
    // 0000  02 00 00 00 00 02 02 00 00 00 00 01 88 a8 00 c8   ................
    // 0010  81 00 01 2c 08 00 45 00 00 20 00 01 00 00 40 11   ...,..E.. ....@.
    // 0020  f6 c8 c0 00 02 01 c0 00 02 02 9c 40 00 09 00 0c   ...........@....
    // 0030  ff ad 71 69 6e 71                                 ..qinq
    static let qinqFrame = hexDump("""
        0000  02 00 00 00 00 02 02 00 00 00 00 01 88 a8 00 c8
        0010  81 00 01 2c 08 00 45 00 00 20 00 01 00 00 40 11
        0020  f6 c8 c0 00 02 01 c0 00 02 02 9c 40 00 09 00 0c
        0030  ff ad 71 69 6e 71
        """)

    @Test func ethernetIPv4() {
        let frame = eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [1, 2, 3]))
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .ipv4, .udp])
        #expect(p.levelCount == 1)
        let e = p.levels[0].ethernet
        #expect(e?.destination == macAddress(macB))
        #expect(e?.source == macAddress(macA))
        #expect(e?.etherType == 0x0800)
        #expect(p.levels[0].vlanCount == 0)
        #expect(p.levels[0].etherType == 0x0800)
        #expect(p.levels[0].origin == .frame)
    }

    @Test func headerParseAndTruncation() {
        let h = parse(eth(type: 0x86DD)) { s throws(DecodeStop) in try EthernetHeader.parse(s, at: 0) }.value
        #expect(h?.etherType == 0x86DD)
        let cut = parse(Bytes(eth(type: 0x86DD).prefix(13))) { s throws(DecodeStop) in try EthernetHeader.parse(s, at: 0) }
        #expect(cut.error == DecodeStop(.ethernet, at: 0, .truncated(needed: 14, available: 13)))
    }

    @Test func dot1QFromCapture() {
        let p = decode(Self.dot1QFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .vlan, .ipv4, .udp])
        #expect(p.levels[0].vlanCount == 1)
        let t = p.levels[0].vlans[0]
        #expect(t.tpid == 0x8100 && t.priority == 0 && !t.dropEligible && t.id == 100 && t.innerType == 0x0800)
        #expect(p.levels[0].ethernet?.etherType == 0x8100)
        #expect(p.levels[0].etherType == 0x0800)
        #expect(p.levels[0].transport.sourcePort == 40000)
        #expect(p.levels[0].transport.payloadLength == 4)
    }

    @Test func vlanPriorityAndDropEligible() {
        let frame = eth(type: 0x8100) + tag(pcp: 5, dei: true, id: 4095, type: 0x0800) + ipv4(proto: 17, payload: udp())
        let p = decode(frame)
        #expect(p.stop == nil)
        let t = p.levels[0].vlans[0]
        #expect(t.priority == 5)
        #expect(t.dropEligible)
        #expect(t.id == 4095)
    }

    @Test func qinqFromCapture() {
        let p = decode(Self.qinqFrame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .vlan, .vlan, .ipv4, .udp])
        #expect(p.levels[0].vlanCount == 2)
        #expect(p.levels[0].vlans[0].tpid == 0x88A8)
        #expect(p.levels[0].vlans[0].id == 200)
        #expect(p.levels[0].vlans[1].tpid == 0x8100)
        #expect(p.levels[0].vlans[1].id == 300)
        // Each tag's record sits where its TCI starts.
        #expect(p.layers[1].offset == 14)
        #expect(p.layers[2].offset == 18)
        #expect(p.layers[3].offset == 22)
        // tshark lists the S-tag as ieee8021ad.id and the C-tag as vlan.id.
        #expect(p.field(.ieee8021adID) == "200")
        #expect(p.field(.vlanID) == "300")
    }

    @Test func fiveStackedTagsKeepFourAndWalkOn() {
        // Ethernet 0x88a8, then tags with ids 1…5; the fifth leads to IPv4.
        var frame = eth(type: 0x88A8)
        let nextTypes: [UInt16] = [0x8100, 0x8100, 0x9100, 0x8100, 0x0800]
        for (i, next) in nextTypes.enumerated() { frame += tag(id: UInt16(i + 1), type: next) }
        frame += ipv4(proto: 17, payload: udp(dport: 53))
        let p = decode(frame)
        #expect(p.stop == nil)
        #expect(p.layerList == [.ethernet, .vlan, .vlan, .vlan, .vlan, .vlan, .ipv4, .udp])
        #expect(p.levels[0].vlanCount == 5)
        #expect((0..<4).map { p.levels[0].vlans[$0].id } == [1, 2, 3, 4])
        #expect(p.levels[0].vlans[0].tpid == 0x88A8)
        #expect(p.levels[0].vlans[3].tpid == 0x9100)
        #expect(p.levels[0].ip?.source == ip4(192, 0, 2, 1))
        #expect(p.levels[0].ip?.offset == 14 + 5 * 4)
        #expect(p.levels[0].transport.destinationPort == 53)
        // Field output lists the four kept tags only.
        #expect(p.field(.vlanID) == "2,3,4")
        #expect(p.field(.ieee8021adID) == "1")
    }

    @Test func truncatedTag() {
        let frame = eth(type: 0x8100) + [0x00, 0x64, 0x08]
        let p = decode(frame)
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.vlan, at: 14, .truncated(needed: 4, available: 3)))
    }

    @Test func ieee8023LengthFrameStopsAtLLC() {
        // An 802.3 frame: length 38 instead of an EtherType, then LLC (STP's DSAP/SSAP 0x42).
        let frame = eth(dst: [0x01, 0x80, 0xC2, 0, 0, 0], type: 38) + [0x42, 0x42, 0x03] + Bytes(repeating: 0, count: 35)
        let p = decode(frame)
        #expect(p.layerList == [.ethernet, .llc])
        #expect(p.stop == DecodeStop(.llc, at: 14, .unsupported(38)))
        #expect(p.stop?.isMalformed == false)
        #expect(p.levels[0].ethernet?.destination.isGroup == true)
    }

    @Test func unknownEtherTypeIsUnsupported() {
        let frame = eth(type: 0x88CC) + Bytes(repeating: 0, count: 30)
        let p = decode(frame)
        #expect(p.layerList == [.ethernet])
        #expect(p.stop == DecodeStop(.payload, at: 14, .unsupported(0x88CC)))
        #expect(p.isMalformed == false)
    }
}
