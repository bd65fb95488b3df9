// IPv6 neighbour discovery claims addresses like ARP does (RFC 4861): a
// neighbour advertisement claims its target for the target link-layer address
// option. Two MACs advertising one address are a conflict.

import CrosswireVerdict
import Foundation
import Testing

struct NeighbourDiscoveryTests {
    /// An Ethernet/IPv6/ICMPv6 neighbour advertisement for `target` with a target link-layer address option.
    static func advertisement(from source: [UInt8], mac: String, target: [UInt8]) -> [UInt8] {
        var icmp: [UInt8] = [136, 0, 0, 0, 0x60, 0, 0, 0]  // NA, checksum 0, flags S|O
        icmp += target
        icmp += [2, 1] + CrosswireVerifyTests.mac(mac)  // option 2 (target link-layer address), 1 unit of 8 bytes
        var ipv6: [UInt8] = [0x60, 0, 0, 0, 0, UInt8(icmp.count), 58, 255]
        ipv6 += source
        ipv6 += [0xFF, 0x02] + [UInt8](repeating: 0, count: 13) + [1]  // ff02::1
        var frame = [0x33, 0x33, 0, 0, 0, 1] + CrosswireVerifyTests.mac(mac) + [0x86, 0xDD]
        frame += ipv6 + icmp
        return frame
    }

    static let address: [UInt8] = [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50]

    /// Both MACs keep advertising the address: a conflict (one advertising after the other
    /// stopped would be a handover, a warn).
    @Test func twoMACsAdvertisingOneAddressConflict() throws {
        let frames = [
            Self.advertisement(from: Self.address, mac: "02:00:00:00:00:0a", target: Self.address),
            Self.advertisement(from: Self.address, mac: "02:00:00:00:00:0b", target: Self.address),
            Self.advertisement(from: Self.address, mac: "02:00:00:00:00:0a", target: Self.address),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .fail, "\(v.digest)")
        #expect(v[.arpConflict].summary.contains("fd00::50"))
        #expect(Set(v[.arpConflict].evidence.map(\.frame)) == [1, 2])
    }

    @Test func oneMACPerAddressPasses() throws {
        let frames = [
            Self.advertisement(from: Self.address, mac: "02:00:00:00:00:0a", target: Self.address),
            Self.advertisement(from: Self.address, mac: "02:00:00:00:00:0a", target: Self.address),
        ]
        let v = try Lab.verify(plan: planYAML(), frames: frames)
        #expect(v.status(.arpConflict) == .pass, "\(v.digest)")
    }
}

