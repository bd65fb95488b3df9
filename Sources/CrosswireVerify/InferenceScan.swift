// The facts `crosswire infer` needs that no verification analyser keeps
// without a plan: who claims which address, which MAC hands which packet to
// which, tunnels with their inner addresses, frame sizes and SYN MSS. Its own
// pass over the captures, outside `verify`, so the verify path is unchanged.

import CrosswireCapture
import CrosswireDecoder

/// How often something was seen, and the first frame that showed it.
struct Seen: Sendable {
    public var count: Int
    public var first: FrameRef
    mutating func add() { count += 1 }
}

/// Raw observations over a set of captures, before any judgement.
struct InferenceScan {
    /// IP → MAC claims from ARP and neighbour discovery.
    struct Claim: Hashable { var address: IPAddress; var mac: MACAddress }
    var arpClaims: [Claim: Seen] = [:]
    /// Claims made by an ARP reply, a gratuitous ARP or neighbour discovery: the interface's
    /// own address. A request's sender address may be any address of the host (Linux picks the
    /// outgoing packet's source, a loopback for BGP between loopbacks).
    var answeredClaims: Set<Claim> = []
    /// IP → MAC from unicast packets sent with an initial TTL (64/128/255): the sender itself.
    var sourcedClaims: [Claim: Seen] = [:]

    /// A plain (untunnelled) packet's hop: link addresses and IP addresses, with the TTLs seen.
    struct HopKey: Hashable {
        var sourceMAC: MACAddress
        var destinationMAC: MACAddress
        var source: IPAddress
        var destination: IPAddress
    }
    struct HopSeen { var sighting: Seen; var minTTL: UInt8; var maxTTL: UInt8 }
    var hops: [HopKey: HopSeen] = [:]
    /// The hops of packets that open an exchange (TCP SYN, echo request): a node's own address as
    /// source with a forwarded TTL there is a source NAT by that node.
    var openingHops: [HopKey: HopSeen] = [:]
    /// Addresses that sent a packet: an address only ever a destination may not exist.
    var sources: Set<IPAddress> = []
    /// The fixed head of each BGP OPEN (RFC 4271 §4.2), read even from a segment cut by the
    /// snapshot length: version, My AS, Hold Time and BGP Identifier lie in its first 29 bytes.
    struct OpenHead { var asn: UInt16; var holdTime: UInt16; var identifier: IPv4Address; var ref: FrameRef }
    var openHeads: [IPAddress: OpenHead] = [:]
    /// Destinations a router declared unreachable (ICMP destination unreachable, net/host/unknown).
    var unreachable: [IPAddress: Seen] = [:]

    /// A tunnel packet: the tunnel as a plan names it, outer and inner addresses.
    struct TunnelKey: Hashable {
        var kind: TunnelKind
        var vni: UInt32?
        var port: UInt16
        var outerSource: IPAddress
        var outerDestination: IPAddress
        var innerSource: IPAddress
        var innerDestination: IPAddress
    }
    var tunnels: [TunnelKey: Seen] = [:]

    /// The largest IP packet on the wire that is not an offload aggregate, and where.
    var largestWire: (length: Int, ref: FrameRef)?
    /// The largest packet inside a tunnel.
    var largestInner: (length: Int, ref: FrameRef)?
    /// The largest SYN MSS, IPv4 and IPv6 apart (their headers differ by 20 bytes).
    var largestMSS: (mss: Int, v4: Bool, ref: FrameRef)?
    var frames = 0
    /// Where a capture stopped short (a record cut in the middle): what was read before counts.
    var cuts: [CaptureError] = []
    static let maxEntries = 65_536

    mutating func read(paths: [String]) throws(CaptureError) {
        let decoder = PacketDecoder(options: DecoderOptions())
        let packet = DecodedPacketBuffer()
        for (index, path) in paths.enumerated() {
            var reader = try CaptureFileReader(path: path)
            let linkType = reader.linkType
            do {
                try reader.forEachFrame { info, bytes in
                    let packet = packet.decode(bytes, by: decoder, linkType: linkType, originalLength: info.originalLength)
                    observe(packet, bytes: bytes, ref: FrameRef(capture: CaptureID(index), frame: info.number))
                    return true
                }
            } catch {
                cuts.append(error)
            }
        }
    }

    static func isInitialTTL(_ ttl: UInt8) -> Bool { ttl == 64 || ttl == 128 || ttl == 255 }

    static func note<K: Hashable>(_ table: inout [K: Seen], _ key: K, _ ref: FrameRef) {
        if table[key] != nil { table[key]!.add() } else if table.count < Self.maxEntries { table[key] = Seen(count: 1, first: ref) }
    }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, ref: FrameRef) {
        frames += 1
        for i in 0..<p.levelCount {
            if let a = p.levels[i].arp, a.isEthernetIPv4, a.senderIP != .any, a.senderMAC != .zero, !a.senderMAC.isGroup {
                let claim = Claim(address: .v4(a.senderIP), mac: a.senderMAC)
                Self.note(&arpClaims, claim, ref)
                if (a.operation == 2 || a.senderIP == a.targetIP), answeredClaims.count < Self.maxEntries { answeredClaims.insert(claim) }
            } else if p.levels[i].transport.kind == .icmpv6, p.levels[i].origin != .icmpQuote, let ip = p.levels[i].ip,
                      let nd = NeighbourDiscovery(p.levels[i].transport, bytes: bytes), let mac = nd.linkLayerAddress,
                      mac != .zero, !mac.isGroup {
                let address: IPAddress = nd.type == 136 ? .v6(nd.target) : ip.source
                if !address.isUnspecified {
                    Self.note(&arpClaims, Claim(address: address, mac: mac), ref)
                    // Unlike an ARP request's, a solicitation's source is an address of the sending
                    // interface (RFC 4861 §7.2.2): every ND claim names the interface's own address.
                    if answeredClaims.count < Self.maxEntries { answeredClaims.insert(Claim(address: address, mac: mac)) }
                }
            }
        }
        guard let outer = p.levels[0].ip else { return }
        let t = p.levels[0].transport
        // GRO/GSO aggregates: unfragmented TCP above 1500 bytes, or a tunnel frame carrying TCP.
        let innermost = p.innermostIPLevel ?? 0
        var innerTCP = false
        if innermost > 0 { innerTCP = p.levels[innermost].transport.kind == .tcp }
        let aggregate = outer.totalLength > 1500 && !outer.isFragment && (t.kind == .tcp || innerTCP)
        if !aggregate, outer.totalLength > (largestWire?.length ?? 0) { largestWire = (outer.totalLength, ref) }
        if let tl = p.firstTunnelLevel, let tunnel = p.levels[tl].tunnel, innermost > 0,
           let inner = p.levels[innermost].ip {
            Self.note(&tunnels, TunnelKey(
                kind: tunnel.kind, vni: tunnel.vni, port: tunnel.udpPort, outerSource: outer.source,
                outerDestination: outer.destination, innerSource: inner.source, innerDestination: inner.destination), ref)
            if !aggregate, inner.totalLength > (largestInner?.length ?? 0) { largestInner = (inner.totalLength, ref) }
        }
        let it = p.levels[innermost].transport
        if it.kind == .tcp, it.tcpFlags.contains(.syn), it.maximumSegmentSize > 0, let ip = p.levels[innermost].ip,
           Int(it.maximumSegmentSize) > (largestMSS?.mss ?? 0) {
            largestMSS = (Int(it.maximumSegmentSize), ip.isV4, ref)
        }
        if innermost == 0, sources.count < Self.maxEntries { sources.insert(outer.source) }
        // RFC 792 / 4443: net, host or destination unknown unreachable, or no route (v6).
        let unreachableCode = t.kind == .icmp ? t.icmpType == 3 && [0, 1, 6, 7].contains(t.icmpCode)
            : t.kind == .icmpv6 && t.icmpType == 1 && [0, 3].contains(t.icmpCode)
        if innermost == 0, unreachableCode, p.levelCount > 1, p.levels[1].origin == .icmpQuote, let quoted = p.levels[1].ip {
            Self.note(&unreachable, quoted.destination, ref)
        }
        if innermost == 0, t.kind == .tcp, t.sourcePort == 179 || t.destinationPort == 179, openHeads[outer.source] == nil,
           openHeads.count < Self.maxEntries, t.payloadOffset > 0, t.payloadOffset + 29 <= bytes.byteCount,
           bytes.u64(t.payloadOffset) == .max, bytes.u64(t.payloadOffset + 8) == .max, bytes.u8(t.payloadOffset + 18) == 1 {
            // In bounds: payloadOffset + 29 <= byteCount was checked above.
            let o = t.payloadOffset
            openHeads[outer.source] = OpenHead(asn: bytes.u16(o + 20), holdTime: bytes.u16(o + 22), identifier: IPv4Address(rawValue: bytes.u32(o + 24)), ref: ref)
        }
        // A cooked (SLL) frame names its sender's MAC only: a hop to the zero MAC, judged by its sender.
        let link: (source: MACAddress, destination: MACAddress)?
        if let eth = p.levels[0].ethernet { link = (eth.source, eth.destination) }
        else if let c = p.levels[0].cooked, c.addressLength == 6, c.packetType != 1, c.packetType != 2 { link = (c.source, .zero) }
        else { link = nil }
        guard innermost == 0, let link, !link.destination.isGroup, !outer.destination.isMulticast else { return }
        if Self.isInitialTTL(outer.ttl), !link.source.isGroup {
            Self.note(&sourcedClaims, Claim(address: outer.source, mac: link.source), ref)
        }
        let key = HopKey(sourceMAC: link.source, destinationMAC: link.destination, source: outer.source, destination: outer.destination)
        Self.note(&hops, key, outer.ttl, ref)
        let opens = t.kind == .tcp ? t.tcpFlags.contains(.syn) && !t.tcpFlags.contains(.ack) : t.kind == .icmp ? t.icmpType == 8 : t.kind == .icmpv6 && t.icmpType == 128
        if opens { Self.note(&openingHops, key, outer.ttl, ref) }
    }

    static func note(_ table: inout [HopKey: HopSeen], _ key: HopKey, _ ttl: UInt8, _ ref: FrameRef) {
        if table[key] != nil {
            table[key]!.sighting.add()
            table[key]!.minTTL = min(table[key]!.minTTL, ttl)
            table[key]!.maxTTL = max(table[key]!.maxTTL, ttl)
        } else if table.count < Self.maxEntries {
            table[key] = HopSeen(sighting: Seen(count: 1, first: ref), minTTL: ttl, maxTTL: ttl)
        }
    }
}

extension IPFields {
    var isV4: Bool { version == 4 }
}

extension IPAddress {
    /// 169.254.0.0/16 or fe80::/10: never a node's planned address.
    var isLinkLocal: Bool {
        switch self {
        case .v4(let a): a.rawValue >> 16 == 0xA9FE
        case .v6(let a): a.high >> 54 == 0x3FA
        }
    }

    /// Multicast or broadcast: never a hop to a node.
    var isMulticast: Bool {
        switch self {
        case .v4(let a): a.rawValue >> 28 == 0xE || a.rawValue == 0xFFFF_FFFF
        case .v6(let a): a.high >> 56 == 0xFF
        }
    }
}
