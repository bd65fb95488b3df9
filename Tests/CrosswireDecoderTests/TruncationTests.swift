// Every prefix of well-formed frames, decoded as a capture cut by the snapshot length.
//
// For each cut the decoder must not crash, must keep a prefix of the layers the
// whole frame decodes to, and, when the cut falls inside a header, must stop
// with `.truncated` at that header's layer and offset.

import CrosswireDecoder
import CrosswireDecoderText
import Testing

struct TruncationTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var linkType: LinkType = .ethernet
        /// The header length of the last layer of the full decode (the ones before end where the next begins).
        var lastHeaderLength: Int
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "802.1Q from synthetic-vlan-qinq.pcap", bytes: EthernetTests.dot1QFrame, lastHeaderLength: 8),
        Fixture(name: "QinQ from synthetic-vlan-qinq.pcap", bytes: EthernetTests.qinqFrame, lastHeaderLength: 8),
        Fixture(name: "VXLAN from synthetic-vxlan-geneve.pcap", bytes: TunnelTests.vxlanFrame, lastHeaderLength: 8),
        Fixture(name: "GENEVE+options from synthetic-vxlan-geneve.pcap", bytes: TunnelTests.geneveEthernetFrame, lastHeaderLength: 8),
        Fixture(name: "GENEVE→IPv4 from synthetic-vxlan-geneve.pcap", bytes: TunnelTests.geneveIPv4Frame, lastHeaderLength: 8),
        Fixture(name: "6in4 from synthetic-6in4.pcap", bytes: TunnelTests.sixInFourFrame, lastHeaderLength: 8),
        Fixture(name: "SLL2 + VLAN from synthetic-sll2.pcap", bytes: LinuxCookedTests.sll2VLANFrame, linkType: .linuxSLL2, lastHeaderLength: 8),
        Fixture(name: "SLL ARP from synthetic-sll.pcap", bytes: LinuxCookedTests.sllARPFrame, linkType: .linuxSLL, lastHeaderLength: 28),
        Fixture(
            name: "TCP with options", bytes: eth(type: 0x0800) + ipv4(proto: 6, payload: tcp(options: [2, 4, 5, 0xB4, 1, 3, 3, 7], payload: [1, 2, 3])),
            lastHeaderLength: 28),
        Fixture(
            name: "IPv4 options", bytes: eth(type: 0x0800) + ipv4(proto: 17, payload: udp(payload: [9]), options: [1, 1, 148, 4, 0, 0, 0, 0]),
            lastHeaderLength: 8),
        Fixture(
            name: "IPv6 extension chain",
            bytes: eth(type: 0x86DD) + ipv6(next: 0, payload: ipv6Options(next: 60) + ipv6Options(next: 44) + ipv6Fragment(next: 51, more: true)
                + ipv6AH(next: 17) + udp(payload: [1, 2])),
            lastHeaderLength: 8),
        Fixture(
            name: "ICMP port unreachable quoting UDP",
            bytes: eth(type: 0x0800) + ipv4(proto: 1, payload: icmp(type: 3, code: 3, payload: ipv4(proto: 17, payload: udp(dport: 33434)))),
            lastHeaderLength: 4),
        Fixture(
            name: "GRE key+seq carrying Ethernet",
            bytes: eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x6558, key: 5, sequence: 6) + TunnelTests.innerFrame()),
            lastHeaderLength: 8),
        Fixture(
            name: "VXLAN-GPE + NSH",
            bytes: eth(type: 0x0800) + ipv4(proto: 17, payload: udp(dport: 4790, payload: vxlanGPE(vni: 3, next: 4) + nsh(next: 3) + TunnelTests.innerFrame())),
            lastHeaderLength: 8),
        Fixture(
            name: "VXLAN in IP-in-IP in GRE",
            bytes: eth(type: 0x0800) + ipv4(proto: 47, payload: gre(protocolType: 0x0800) + ipv4(proto: 4, payload: ipv4(proto: 17, payload: udp(dport: 4789, payload: vxlan(vni: 1) + TunnelTests.innerFrame()))))
            ,
            lastHeaderLength: 8),
    ]

    @Test(arguments: fixtures)
    func everyPrefix(_ f: Fixture) {
        let full = decode(f.bytes, linkType: f.linkType)
        #expect(full.stop == nil)
        let records = full.records
        // Where each layer's header starts and ends.
        let starts = records.map { Int($0.offset) }
        let ends = records.indices.map { $0 + 1 < records.count ? starts[$0 + 1] : starts[$0] + f.lastHeaderLength }

        for n in 0..<f.bytes.count {
            let p = decode(Array(f.bytes.prefix(n)), linkType: f.linkType, originalLength: f.bytes.count)
            // Field output works on every cut packet.
            for field in PacketField.allCases where !field.isControlPlane { _ = p.field(field) }
            let got = p.records
            #expect(got.count <= records.count && Array(records.prefix(got.count)) == got, "cut at \(n): \(got.map(\.layer))")
            #expect(p.levelCount >= 1 && p.levelCount <= DecodedPacket.maxLevels)

            guard let i = ends.firstIndex(where: { $0 > n }) else {
                #expect(p.stop == nil, "cut at \(n)")
                #expect(got == records, "cut at \(n)")
                continue
            }
            if starts[i] < n {
                // Inside header i: truncated right there.
                #expect(got.count == i, "cut at \(n) inside \(records[i].layer)")
                #expect(p.stop?.layer == records[i].layer, "cut at \(n)")
                #expect(p.stop?.offset == starts[i], "cut at \(n)")
                if case .truncated(let needed, let available)? = p.stop?.reason {
                    #expect(available == n - starts[i], "cut at \(n)")
                    #expect(needed > available && needed <= ends[i] - starts[i], "cut at \(n)")
                } else {
                    Issue.record("cut at \(n) inside \(records[i].layer): stop \(String(describing: p.stop))")
                }
            } else {
                // Right before header i: either nothing more to decode, or cut with nothing of it captured.
                #expect(got.count == i, "cut at \(n) before \(records[i].layer)")
                if let stop = p.stop {
                    #expect(stop.offset == n, "cut at \(n)")
                    #expect(stop.reason == .truncated(needed: stop.reason.neededOrZero, available: 0), "cut at \(n)")
                }
            }
        }
    }
}

extension StopReason {
    var neededOrZero: Int { if case .truncated(let needed, _) = self { needed } else { 0 } }
}
