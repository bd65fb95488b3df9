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

    /// A dual-stack plan with no MACs: next-hop MACs can only be learned from the wire.
    static let dualStackPlan = """
        version: 1
        name: dual-stack-no-macs
        underlay: { mtu: 1500, subnet: 192.168.56.0/24 }
        hosts:
          - { name: host1, address: [192.168.56.119, "fd00:56::119"], containers: [192.168.10.0/24, "fd00:10::/64"] }
          - { name: host2, address: [192.168.56.120, "fd00:56::120"], containers: [192.168.20.0/24, "fd00:20::/64"] }
          - { name: host3, address: [192.168.56.121, "fd00:56::121"], containers: [192.168.30.0/24, "fd00:30::/64"] }
        transport: { mode: routed }
        nat: none
        routing: { protocol: static }
        """

    static func v6(_ text: String) -> [UInt8] {
        // fd00:X::Y with X and Y hexadecimal, as the plan above writes them.
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let x = UInt16(parts[1], radix: 16)!, y = UInt16(parts.last!, radix: 16)!
        return [0xFD, 0, UInt8(x >> 8), UInt8(x & 0xFF)] + [UInt8](repeating: 0, count: 10) + [UInt8(y >> 8), UInt8(y & 0xFF)]
    }

    /// Ethernet/IPv6/UDP from container fd00:10::2 to fd00:20::2.
    static func udp6(srcMAC: String, dstMAC: String) -> [UInt8] {
        let udp: [UInt8] = [0x13, 0x88, 0x00, 0x35, 0, 16, 0, 0] + [UInt8](repeating: 0x42, count: 8)
        var ipv6: [UInt8] = [0x60, 0, 0, 0, 0, UInt8(udp.count), 17, 63]
        ipv6 += v6("fd00:10::2") + v6("fd00:20::2")
        return CrosswireVerifyTests.mac(dstMAC) + CrosswireVerifyTests.mac(srcMAC) + [0x86, 0xDD] + ipv6 + udp
    }

    /// Each host advertising its IPv6 underlay address and MAC.
    static let learn = [
        advertisement(from: v6("fd00:56::120"), mac: Addr.host2MAC, target: v6("fd00:56::120")),
        advertisement(from: v6("fd00:56::121"), mac: Addr.host3MAC, target: v6("fd00:56::121")),
        advertisement(from: v6("fd00:56::119"), mac: Addr.host1MAC, target: v6("fd00:56::119")),
    ]

    /// host2's MAC comes from its neighbour advertisement (RFC 4861), as from ARP: an IPv6
    /// packet to host2's containers sent to host2's MAC passes, one sent to host3's fails.
    @Test func nextHopMACsAreLearnedFromNeighbourAdvertisements() throws {
        let learn = Self.learn
        let right = try Lab.verify(plan: Self.dualStackPlan, frames: learn + [Self.udp6(srcMAC: Addr.host1MAC, dstMAC: Addr.host2MAC)])
        #expect(right.status(.routeNextHop) == .pass, "\(right.digest)")
        #expect(right[.routeNextHop].summary.contains("1 frame"), "\(right.digest)")
        let wrong = try Lab.verify(plan: Self.dualStackPlan, frames: learn + [Self.udp6(srcMAC: Addr.host1MAC, dstMAC: Addr.host3MAC)])
        #expect(wrong.status(.routeNextHop) == .fail, "\(wrong.digest)")
        #expect(wrong.cited(.routeNextHop) == a(4))
    }

    /// IPv4 containers over a VXLAN on the IPv6 underlay: the outer destination is host2's IPv6
    /// address, which is host2, the planned next hop (its IPv4 address is the one the route names).
    @Test func tunnelToTheNextHopsOtherFamilyAddressIsThatNextHop() throws {
        func vxlan6(to outer: String) -> [UInt8] {
            let udp = Frame.udp(sp: 40001, dp: 8472, Frame.vxlan(vni: 1, innerEthernet()))
            var ipv6: [UInt8] = [0x60, 0, 0, 0, UInt8(udp.count >> 8), UInt8(udp.count & 0xFF), 17, 64]
            ipv6 += Self.v6("fd00:56::119") + Self.v6(outer)
            return CrosswireVerifyTests.mac(Addr.host2MAC) + CrosswireVerifyTests.mac(Addr.host1MAC) + [0x86, 0xDD] + ipv6 + udp
        }
        let plan = Self.dualStackPlan.replacingOccurrences(of: "transport: { mode: routed }", with: "transport: { mode: vxlan, vxlan: { vni: 1, port: 8472 } }")
        let right = try Lab.verify(plan: plan, frames: Self.learn + [vxlan6(to: "fd00:56::120")])
        #expect(right.status(.routeNextHop) == .pass, "\(right.digest)")
        let wrong = try Lab.verify(plan: plan, frames: Self.learn + [vxlan6(to: "fd00:56::121")])
        #expect(wrong.status(.routeNextHop) == .fail, "\(wrong.digest)")
    }
}
