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
    /// When each MAC claimed each address: the first and last claim (captures are read one
    /// after another, so a span, not an order of arrival, tells a handover from a conflict).
    var spans: [AddressClaim: ClaimSpan] = [:]

    struct AddressClaim: Hashable {
        var address: IPAddress
        var mac: MACAddress
        func hash(into h: inout Hasher) { h.combine(address); h.combine(mac.rawValue) }
    }
    struct ClaimSpan { var first: Timestamp; var last: Timestamp; var lastRef: FrameRef }
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

    /// Neighbour solicitations and advertisements (ICMPv6); an ARP frame belongs to no flow anyway.
    @inline(__always)
    func isNew(_: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool { frame.flow.fact }

    /// The flow's packets are neighbour solicitations or advertisements (its key holds the type).
    @inline(__always)
    func flowFact(_ p: PacketView, frame _: FrameContext) -> Bool {
        for i in 0..<p.levelCount where p.levels[i].origin != .icmpQuote {
            let t = p.levels[i].transport
            if t.kind == .icmpv6, NeighbourDiscovery.claims(t.icmpType) { return true }
        }
        return false
    }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        for i in 0..<p.levelCount {
            if let a = p.levels[i].arp, a.isEthernetIPv4 {
                findings.messages += 1
                if findings.firstMessage == nil { findings.firstMessage = ref }
                // 0.0.0.0 is an address probe (RFC 5227): it claims nothing.
                guard a.senderIP != .any else { continue }
                claim(.v4(a.senderIP), by: a.senderMAC, ref: ref, time: frame.time)
            } else if p.levels[i].transport.kind == .icmpv6, p.levels[i].origin != .icmpQuote, let ip = p.levels[i].ip {
                neighbourDiscovery(p.levels[i].transport, source: ip.source, bytes: bytes, ref: ref, time: frame.time)
            }
        }
    }

    /// RFC 4861: a neighbour advertisement (136) claims its target address for
    /// the target link-layer address option; a solicitation (135) claims its
    /// source address for the source link-layer address option.
    mutating func neighbourDiscovery(_ t: TransportFields, source: IPAddress, bytes: borrowing RawSpan, ref: FrameRef, time: Timestamp) {
        guard let nd = NeighbourDiscovery(t, bytes: bytes) else { return }
        findings.messages += 1
        if findings.firstMessage == nil { findings.firstMessage = ref }
        guard let mac = nd.linkLayerAddress else { return }
        let address: IPAddress = nd.type == 136 ? .v6(nd.target) : source
        if !address.isUnspecified { claim(address, by: mac, ref: ref, time: time) }
    }

    mutating func claim(_ address: IPAddress, by mac: MACAddress, ref: FrameRef, time: Timestamp) {
        guard mac != .zero, !mac.isGroup else { return }
        // A plain value in its slot: get and set, no allocation per message.
        let key = ARPFindings.AddressClaim(address: address, mac: mac)
        if var span = findings.spans[key] {
            if time < span.first { span.first = time }
            if time >= span.last { span.last = time; span.lastRef = ref }
            findings.spans[key] = span
        } else if findings.spans.count < Self.maxAddresses * 2 {
            findings.spans[key] = ARPFindings.ClaimSpan(first: time, last: time, lastRef: ref)
        }
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
