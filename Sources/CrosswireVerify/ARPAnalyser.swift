// ARP: which MAC claims which IPv4 address. Feeds arp.conflict and the
// next-hop check's MAC lookups.

import CrosswireDecoder

struct ARPAnalyser {
    struct Claims {
        var macs: [MACAddress]
        var firsts: [FrameRef]
    }
    /// Addresses tracked, and MACs kept per address.
    static let maxAddresses = 65_536
    static let maxMACsPerAddress = 8

    var claims: [IPv4Address: Claims] = [:]
    var messages = 0
    var droppedAddresses = 0
    var firstMessage: FrameRef?

    mutating func observe(_ p: borrowing DecodedPacket, ref: FrameRef) {
        for i in 0..<p.levelCount {
            guard let a = p.levels[i].arp, a.isEthernetIPv4 else { continue }
            messages += 1
            if firstMessage == nil { firstMessage = ref }
            // 0.0.0.0 is an address probe (RFC 5227): it claims nothing.
            guard a.senderIP != .any, a.senderMAC != .zero, !a.senderMAC.isGroup else { continue }
            if var c = claims[a.senderIP] {
                if !c.macs.contains(a.senderMAC), c.macs.count < Self.maxMACsPerAddress {
                    c.macs.append(a.senderMAC)
                    c.firsts.append(ref)
                    claims[a.senderIP] = c
                }
            } else if claims.count < Self.maxAddresses {
                claims[a.senderIP] = Claims(macs: [a.senderMAC], firsts: [ref])
            } else {
                droppedAddresses += 1
            }
        }
    }

    /// The MAC an address was claimed by, when exactly one claimed it.
    func mac(of address: IPAddress) -> MACAddress? {
        guard case .v4(let v4) = address, let c = claims[v4], c.macs.count == 1 else { return nil }
        return c.macs[0]
    }

    /// Every address a MAC claimed, in address order (a host's bridge answers for several).
    func addresses(of mac: MACAddress) -> [IPv4Address] {
        claims.compactMap { $0.value.macs.contains(mac) ? $0.key : nil }.sorted()
    }
}
