// ARP and IPv6 neighbour discovery: which MAC claims which address. Feeds
// arp.conflict and the next-hop check's MAC lookups.

import CrosswireDecoder

/// Which MACs claimed which addresses.
struct ARPFindings {
    struct Claims {
        var macs: [MACAddress]
        var firsts: [FrameRef]
    }

    var claims: [IPAddress: Claims] = [:]
    /// ARP messages and neighbour advertisements/solicitations seen.
    var messages = 0
    var droppedAddresses = 0
    var firstMessage: FrameRef?

    /// The MAC an address was claimed by, when exactly one claimed it.
    func mac(of address: IPAddress) -> MACAddress? {
        guard let c = claims[address], c.macs.count == 1 else { return nil }
        return c.macs[0]
    }

    /// Every address a MAC claimed, in address order (a host's bridge answers for several).
    func addresses(of mac: MACAddress) -> [IPAddress] {
        claims.compactMap { $0.value.macs.contains(mac) ? $0.key : nil }.sorted()
    }
}

struct ARPAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, ARPFindings> { \.arp }
    /// Addresses tracked, and MACs kept per address.
    static let maxAddresses = 65_536
    static let maxMACsPerAddress = 8

    var findings = ARPFindings()
    init(topology _: Topology) {}
    func finish() -> ARPFindings { findings }

    mutating func observe(_ p: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        for i in 0..<p.levelCount {
            if let a = p.levels[i].arp, a.isEthernetIPv4 {
                findings.messages += 1
                if findings.firstMessage == nil { findings.firstMessage = ref }
                // 0.0.0.0 is an address probe (RFC 5227): it claims nothing.
                guard a.senderIP != .any else { continue }
                claim(.v4(a.senderIP), by: a.senderMAC, ref: ref)
            } else if p.levels[i].transport.kind == .icmpv6, p.levels[i].origin != .icmpQuote, let ip = p.levels[i].ip {
                neighbourDiscovery(p.levels[i].transport, source: ip.source, bytes: bytes, ref: ref)
            }
        }
    }

    /// RFC 4861: a neighbour advertisement (136) claims its target address for
    /// the target link-layer address option; a solicitation (135) claims its
    /// source address for the source link-layer address option.
    mutating func neighbourDiscovery(_ t: TransportFields, source: IPAddress, bytes: borrowing RawSpan, ref: FrameRef) {
        guard let nd = NeighbourDiscovery(t, bytes: bytes) else { return }
        findings.messages += 1
        if findings.firstMessage == nil { findings.firstMessage = ref }
        guard let mac = nd.linkLayerAddress else { return }
        let address: IPAddress = nd.type == 136 ? .v6(nd.target) : source
        if !address.isUnspecified { claim(address, by: mac, ref: ref) }
    }

    mutating func claim(_ address: IPAddress, by mac: MACAddress, ref: FrameRef) {
        guard mac != .zero, !mac.isGroup else { return }
        if findings.claims[address] != nil {
            if !findings.claims[address]!.macs.contains(mac), findings.claims[address]!.macs.count < Self.maxMACsPerAddress {
                findings.claims[address]!.macs.append(mac)
                findings.claims[address]!.firsts.append(ref)
            }
        } else if findings.claims.count < Self.maxAddresses {
            findings.claims[address] = ARPFindings.Claims(macs: [mac], firsts: [ref])
        } else {
            findings.droppedAddresses += 1
        }
    }
}
