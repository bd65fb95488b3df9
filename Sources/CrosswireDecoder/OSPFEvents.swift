// OSPF control-plane events: what an OSPF packet means for the checks
// (`ospf.adjacency`, `ospf.routes`), as small values delivered to a visitor.

/// A Hello in a few numbers.
public struct OSPFHelloEvent: Sendable, BitwiseCopyable, Equatable {
    public var header: OSPFHeader
    /// nil for OSPFv3 (which has no mask).
    public var networkMask: IPv4Address?
    public var helloInterval: UInt16
    public var deadInterval: UInt32
    public var priority: UInt8
    public var designatedRouter: IPv4Address
    public var backupDesignatedRouter: IPv4Address
    public var neighborCount: Int
    /// The first `OSPFNeighborIDs.capacity` neighbours listed, inline (no allocation per packet).
    public var neighbors = OSPFNeighborIDs()
}

/// Up to 8 router ids of a Hello's neighbour list, stored inline: enough to tell
/// 2-Way (RFC 2328 §10.5) on the links a verifier judges.
public struct OSPFNeighborIDs: Sendable, BitwiseCopyable, Equatable {
    public static let capacity = 8
    var ids: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    public private(set) var count = 0
    public init() {}

    public subscript(i: Int) -> IPv4Address {
        precondition(i >= 0 && i < count)
        return withUnsafeBytes(of: ids) { IPv4Address(rawValue: $0.load(fromByteOffset: i * 4, as: UInt32.self)) }
    }

    /// Adds a router id; ignored past `capacity`.
    public mutating func append(_ id: IPv4Address) {
        guard count < Self.capacity else { return }
        withUnsafeMutableBytes(of: &ids) { $0.storeBytes(of: id.rawValue, toByteOffset: count * 4, as: UInt32.self) }
        count += 1
    }

    public func contains(_ id: IPv4Address) -> Bool {
        for i in 0..<count where self[i] == id { return true }
        return false
    }

    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }
}

/// A Database Description in a few numbers.
public struct OSPFDatabaseDescriptionEvent: Sendable, BitwiseCopyable, Equatable {
    public var header: OSPFHeader
    public var interfaceMTU: UInt16
    public var flags: OSPFDatabaseDescriptionFlags
    public var sequence: UInt32
    public var lsaHeaderCount: Int
}

/// What one LSA of a Link State Update advertises: one event per Router-LSA
/// link (one with `link` nil when it has none), one per Network, Summary,
/// AS-External or NSSA LSA, one per other LSA (header only).
public struct OSPFAdvertisement: Sendable, BitwiseCopyable, Equatable {
    public var header: OSPFHeader
    public var lsa: OSPFLSAHeader
    /// The Router-LSA link this event is about.
    public var link: OSPFRouterLink?
    /// The prefix advertised: a stub link's network, or Link State ID / mask for types 2, 3, 4, 5 and 7 (nil otherwise).
    public var prefix: IPPrefix?
    public var metric: UInt32
    /// Details of types 2, 3, 4, 5, 7.
    public var details: OSPFPrefix?
}

/// An OSPF packet's meaning.
public enum OSPFEvent: Sendable, BitwiseCopyable, Equatable {
    case hello(OSPFHelloEvent)
    case databaseDescription(OSPFDatabaseDescriptionEvent)
    case linkStateRequest(header: OSPFHeader, count: Int)
    case advertisement(OSPFAdvertisement)
    case linkStateAck(header: OSPFHeader, count: Int)
    /// A packet of a type this decoder does not know.
    case unknown(OSPFHeader)
    /// The packet could not be decoded (after any events it produced before the fault).
    case malformed(DecodeStop)
}

/// Turns OSPF packets into events.
public enum OSPFEventDecoder {
    /// Decodes the OSPF packet at `offset` (the IP payload, `limit` its captured end) and visits its events.
    public static func decode(_ s: borrowing RawSpan, at offset: Int, limit: Int, _ visit: (OSPFEvent) -> Void) {
        do throws(DecodeStop) {
            let h = try OSPFHeader.parse(s, at: offset, limit: limit)
            switch h.type {
            case .hello:
                let hello = try OSPFHello.parse(s, h)
                var event = OSPFHelloEvent(
                    header: h, networkMask: hello.networkMask, helloInterval: hello.helloInterval,
                    deadInterval: hello.deadInterval, priority: hello.priority,
                    designatedRouter: hello.designatedRouter, backupDesignatedRouter: hello.backupDesignatedRouter,
                    neighborCount: hello.neighborCount)
                hello.forEachNeighbor(in: s) { event.neighbors.append($0) }
                visit(.hello(event))
            case .databaseDescription:
                let dbd = try OSPFDatabaseDescription.parse(s, h)
                var c = dbd.lsaHeaders()
                var n = 0
                while try c.next(s) != nil { n += 1 }
                visit(.databaseDescription(OSPFDatabaseDescriptionEvent(
                    header: h, interfaceMTU: dbd.interfaceMTU, flags: dbd.flags, sequence: dbd.sequence, lsaHeaderCount: n)))
            case .linkStateRequest:
                var c = OSPFLinkStateRequestCursor(h)
                var n = 0
                while try c.next(s) != nil { n += 1 }
                visit(.linkStateRequest(header: h, count: n))
            case .linkStateUpdate:
                var c = try OSPFPacket.updateLSAs(s, h)
                while let lsa = try c.next(s) { try advertisements(s, h, lsa, visit) }
            case .linkStateAck:
                var c = OSPFPacket.acknowledgedLSAs(h)
                var n = 0
                while try c.next(s) != nil { n += 1 }
                visit(.linkStateAck(header: h, count: n))
            default:
                visit(.unknown(h))
            }
        } catch {
            visit(.malformed(error))
        }
    }

    static func advertisements(
        _ s: borrowing RawSpan, _ h: OSPFHeader, _ lsa: OSPFLSAHeader, _ visit: (OSPFEvent) -> Void
    ) throws(DecodeStop) {
        var event = OSPFAdvertisement(header: h, lsa: lsa, link: nil, prefix: nil, metric: 0, details: nil)
        if lsa.version == 2 && lsa.type == OSPFLSAType.router {
            var links = try OSPFRouterLinkCursor(s, lsa)
            var any = false
            while let link = try links.next(s) {
                any = true
                event.link = link
                event.prefix = link.stubPrefix
                event.metric = UInt32(link.metric)
                visit(.advertisement(event))
            }
            if !any { visit(.advertisement(event)) }
            return
        }
        if let p = try OSPFPrefix.parse(s, lsa) {
            event.details = p
            event.prefix = p.prefix
            event.metric = p.metric
        }
        visit(.advertisement(event))
    }
}
