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
    static let maxEntries = 65_536

    mutating func read(paths: [String]) throws(CaptureError) {
        let decoder = PacketDecoder(options: DecoderOptions())
        var packet = DecodedPacket()
        for (index, path) in paths.enumerated() {
            var reader = try CaptureFileReader(path: path)
            let linkType = reader.linkType
            do {
                try reader.forEachFrame { info, bytes in
                    decoder.decode(bytes, linkType: linkType, originalLength: info.originalLength, into: &packet)
                    observe(packet, bytes: bytes, ref: FrameRef(capture: CaptureID(index), frame: info.number))
                    return true
                }
            } catch {
                // A cut capture: what was read before the cut still counts.
            }
        }
    }

    static func isInitialTTL(_ ttl: UInt8) -> Bool { ttl == 64 || ttl == 128 || ttl == 255 }

    static func note<K: Hashable>(_ table: inout [K: Seen], _ key: K, _ ref: FrameRef) {
        if table[key] != nil { table[key]!.add() } else if table.count < Self.maxEntries { table[key] = Seen(count: 1, first: ref) }
    }

    mutating func observe(_ p: borrowing DecodedPacket, bytes: borrowing RawSpan, ref: FrameRef) {
        frames += 1
        for i in 0..<p.levelCount {
            if let a = p.levels[i].arp, a.isEthernetIPv4, a.senderIP != .any, a.senderMAC != .zero, !a.senderMAC.isGroup {
                Self.note(&arpClaims, Claim(address: .v4(a.senderIP), mac: a.senderMAC), ref)
            } else if p.levels[i].transport.kind == .icmpv6, p.levels[i].origin != .icmpQuote, let ip = p.levels[i].ip,
                      let nd = NeighbourDiscovery(p.levels[i].transport, bytes: bytes), let mac = nd.linkLayerAddress,
                      mac != .zero, !mac.isGroup {
                let address: IPAddress = nd.type == 136 ? .v6(nd.target) : ip.source
                if !address.isUnspecified { Self.note(&arpClaims, Claim(address: address, mac: mac), ref) }
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
        guard innermost == 0, let eth = p.levels[0].ethernet, !eth.destination.isGroup, !outer.destination.isMulticast else { return }
        if Self.isInitialTTL(outer.ttl), !eth.source.isGroup {
            Self.note(&sourcedClaims, Claim(address: outer.source, mac: eth.source), ref)
        }
        let key = HopKey(sourceMAC: eth.source, destinationMAC: eth.destination, source: outer.source, destination: outer.destination)
        if hops[key] != nil {
            hops[key]!.sighting.add()
            hops[key]!.minTTL = min(hops[key]!.minTTL, outer.ttl)
            hops[key]!.maxTTL = max(hops[key]!.maxTTL, outer.ttl)
        } else if hops.count < Self.maxEntries {
            hops[key] = HopSeen(sighting: Seen(count: 1, first: ref), minTTL: outer.ttl, maxTTL: outer.ttl)
        }
    }
}

extension IPFields {
    var isV4: Bool { version == 4 }
}

extension IPAddress {
    /// Multicast or broadcast: never a hop to a node.
    var isMulticast: Bool {
        switch self {
        case .v4(let a): a.rawValue >> 28 == 0xE || a.rawValue == 0xFFFF_FFFF
        case .v6(let a): a.high >> 56 == 0xFF
        }
    }
}
