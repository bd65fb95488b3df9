// Field output as tshark 4.0 prints it (`-T fields -E occurrence=a -E aggregator=,`).
//
// Expected values were taken from TShark 4.0.17 over the frames the fixtures copy, e.g.
//   tshark -r synthetic-vxlan-geneve.pcap -T fields -E occurrence=a -E aggregator=, \
//          -e frame.time_epoch -e ip.id -e ip.src -e ip.flags.df -e eth.src -e geneve.vni -e vxlan.vni -e udp.srcport
//   1700000000.000000000  0x0001,0x0001  192.0.2.1,198.51.100.1  0,0  02:00:00:00:00:01,02:00:00:00:00:04    5001  50000,1234
//   1700000002.002000000  0x0001,0x0001  192.0.2.1,198.51.100.1  0,0  02:00:00:00:00:01,02:00:00:00:00:04  0x001b59    50002,1234

import CrosswireDecoder
import CrosswireDecoderText
import Testing

struct FieldFormatTests {
    @Test func vxlanFrameAsTshark() {
        let p = decode(TunnelTests.vxlanFrame)
        #expect(p.field(.frameTimeEpoch, seconds: 1_700_000_000, nanoseconds: 0) == "1700000000.000000000")
        #expect(p.field(.ipID) == "0x0001,0x0001")
        #expect(p.field(.ipSource) == "192.0.2.1,198.51.100.1")
        #expect(p.field(.ipDF) == "0,0")
        #expect(p.field(.ipMF) == "0,0")
        #expect(p.field(.ethSource) == "02:00:00:00:00:01,02:00:00:00:00:04")
        #expect(p.field(.vxlanVNI) == "5001")
        #expect(p.field(.geneveVNI) == "")
        #expect(p.field(.udpSourcePort) == "50000,1234")
        #expect(p.field(.ethType) == "0x0800,0x0800")
        #expect(p.field(.frameLength) == "97")
    }

    @Test func geneveVNIInHex() {
        let p = decode(TunnelTests.geneveEthernetFrame)
        #expect(p.field(.geneveVNI) == "0x001b59")
        #expect(p.field(.vxlanVNI) == "")
        let q = decode(TunnelTests.geneveIPv4Frame)
        #expect(q.field(.geneveVNI) == "0x001b5a")
        #expect(q.field(.ethSource) == "02:00:00:00:00:01")
    }

    @Test func ipIDIsFourHexDigits() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), id: 0xBEEF))
        #expect(p.field(.ipID) == "0xbeef")
        let q = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), id: 0x00A))
        #expect(q.field(.ipID) == "0x000a")
    }

    @Test func fragmentFieldsAsTshark() {
        // tshark -r synthetic-ipv4-frag.pcap -T fields -e ip.frag_offset -e ip.flags.mf -e ip.id
        //   0  1  0x1234
        //   3  1  0x1234
        // TShark 4.0 declares ip.frag_offset as the 13-bit field itself (FT_UINT16, mask 0x1fff), not bytes.
        let first = decode(IPv4Tests.firstFragment)
        #expect(first.field(.ipFragmentOffset) == "0")
        #expect(first.field(.ipMF) == "1")
        let second = decode(IPv4Tests.laterFragment)
        #expect(second.field(.ipFragmentOffset) == "3")
        #expect(second.field(.ipMF) == "1")
        #expect(second.field(.ipDF) == "0")
        #expect(second.field(.ipID) == "0x1234")
        let df = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), df: true))
        #expect(df.field(.ipDF) == "1")
        #expect(df.field(.ipMF) == "0")
    }

    @Test func macsAreLowercase() {
        let p = decode(eth(dst: [0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45], src: [0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54], type: 0x0800)
            + ipv4(proto: 17, payload: udp()))
        #expect(p.field(.ethDestination) == "ab:cd:ef:01:23:45")
        #expect(p.field(.ethSource) == "fe:dc:ba:98:76:54")
    }

    @Test func timeEpochHasNineDigits() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp()))
        #expect(p.field(.frameTimeEpoch, seconds: 1_700_000_001, nanoseconds: 1_000_000) == "1700000001.001000000")
        #expect(p.field(.frameTimeEpoch, seconds: 5, nanoseconds: 7) == "5.000000007")
        #expect(p.field(.frameTimeEpoch, seconds: 0, nanoseconds: 999_999_999) == "0.999999999")
    }

    @Test func vlanFieldsAsTshark() {
        // tshark -r synthetic-vlan-qinq.pcap -T fields -E occurrence=a -E aggregator=, \
        //        -e ipv6.flow -e vlan.id -e vlan.priority -e ieee8021ad.id -e udp.length -e eth.type
        //             100   0          12  0x8100
        //             300   0     200  12  0x88a8
        //   0x000000  4094  5          10  0x8100
        let qinq = decode(EthernetTests.qinqFrame)
        #expect(qinq.field(.vlanID) == "300")
        #expect(qinq.field(.ieee8021adID) == "200")
        #expect(qinq.field(.vlanPriority) == "0")
        #expect(qinq.field(.udpLength) == "12")
        #expect(qinq.field(.ethType) == "0x88a8")
        let v6 = decode(IPv6Tests.udpFrame)
        #expect(v6.field(.ipv6FlowLabel) == "0x000000")
        #expect(v6.field(.vlanID) == "4094")
        #expect(v6.field(.vlanPriority) == "5")
        #expect(v6.field(.udpLength) == "10")
        let flow = decode(eth(type: 0x86DD) + ipv6(next: 17, payload: udp(), flowLabel: 0xABCDE))
        #expect(flow.field(.ipv6FlowLabel) == "0x0abcde")
    }

    @Test func tcpAndProtocolFieldsAsTshark() {
        // tshark -r synthetic-ipip.pcap -T fields -E occurrence=a -E aggregator=, \
        //        -e tcp.flags -e tcp.seq_raw -e ip.proto -e ip.len   (frame 3)
        //   0x0002  1000  4,6  60,40
        let p = decode(TCPTests.bgpSYN)
        #expect(p.field(.tcpFlags) == "0x0002")
        #expect(p.field(.tcpSequenceRaw) == "1000")
        #expect(p.field(.ipProtocol) == "4,6")
        #expect(p.field(.ipLength) == "60,40")
        #expect(p.field(.frameProtocols) == "eth:ip:ip:tcp")
    }

    @Test func stopIsDescribed() {
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp(), ihl: 4))
        #expect(p.field(.decodeStop) == "ip at byte 14: bad length field 4")
        #expect(decode(TunnelTests.vxlanFrame).field(.decodeStop) == "")
    }

    @Test func controlPlaneFieldsComeFromTheWriter() {
        struct Fixed: ControlPlaneFieldWriter {
            func write(_ field: PacketField, to out: inout [UInt8]) { out += Array("bgp!".utf8) }
        }
        let p = decode(eth(type: 0x0800) + ipv4(proto: 17, payload: udp()))
        var out: [UInt8] = []
        var control = Fixed()
        p.write(.bgpType, frame: FrameFacts(number: 1, seconds: 0, nanoseconds: 0), control: &control, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "bgp!")
        #expect(p.field(.bgpType) == "")
        #expect(p.field(.frameNumber) == "1")
    }
}
