// OSPF link-state advertisements: the LSA header (v2 and v3) and the OSPFv2
// bodies of Router (1), Network (2), Summary (3, 4), AS-External (5) and
// NSSA (7) LSAs (RFC 2328 appendix A.4, RFC 3101). Opaque LSAs (9–11) and
// OSPFv3 LSAs are kept as headers.
//
// LSA header v2 (20 bytes):             LSA header v3 (20 bytes):
// | LS age (2) | Options (1) | Type (1) | | LS age (2) | LS type (2)          |
// | Link State ID (4)                  | | Link State ID (4)                  |
// | Advertising Router (4)             | | Advertising Router (4)             |
// | LS sequence number (4)             | | LS sequence number (4)             |
// | LS checksum (2) | length (2)       | | LS checksum (2) | length (2)       |
//
// Router:   | 0|V|E|B (1) | 0 (1) | # links (2) | links … |
//   link:   | Link ID (4) | Link Data (4) | Type (1) | # TOS (1) | metric (2) | TOS entries (4 each) |
// Network:  | Network Mask (4) | Attached Router (4) … |
// Summary:  | Network Mask (4) | 0 (1) | metric (3) | TOS entries … |
// External / NSSA: | Network Mask (4) | E|0 (1) | metric (3) | Forwarding address (4) | External Route Tag (4) | …

/// An LSA header. For LSAs of an update, `length` is validated to lie inside the packet.
public struct OSPFLSAHeader: Sendable, BitwiseCopyable, Equatable {
    public var offset: Int
    public var age: UInt16
    /// OSPFv2 options; 0 for v3.
    public var options: UInt8
    /// The LS type: 1–11 for v2; the 16-bit function code with U/S bits for v3 (e.g. 0x2001 Router).
    public var type: UInt16
    public var linkStateID: IPv4Address
    public var advertisingRouter: IPv4Address
    public var sequence: UInt32
    public var checksum: UInt16
    public var length: Int
    public var version: UInt8

    public static let length = 20
    public var bodyOffset: Int { offset + OSPFLSAHeader.length }
    public var end: Int { offset + length }
}

/// LS type numbers of OSPFv2.
public enum OSPFLSAType {
    public static let router: UInt16 = 1
    public static let network: UInt16 = 2
    public static let summaryNetwork: UInt16 = 3
    public static let summaryASBR: UInt16 = 4
    public static let asExternal: UInt16 = 5
    public static let nssa: UInt16 = 7
    public static let opaqueLink: UInt16 = 9
    public static let opaqueArea: UInt16 = 10
    public static let opaqueAS: UInt16 = 11
}

/// Walks LSAs (in an update: `count` of them, each by its length) or LSA
/// headers (in a DBD or an acknowledgement: 20 bytes each). Each step checks
/// the LSA against the packet's end and advances by at least 20 bytes.
public struct OSPFLSACursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int
    let version: UInt8
    var remaining: Int?
    let headersOnly: Bool

    public init(offset: Int, end: Int, version: UInt8, count: Int?, headersOnly: Bool) {
        self.offset = offset; self.end = end; self.version = version; remaining = count; self.headersOnly = headersOnly
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> OSPFLSAHeader? {
        if let r = remaining, r <= 0 { return nil }
        guard offset < end else {
            // An update that promises more LSAs than it holds is cut short.
            if let r = remaining, r > 0 { throw DecodeStop(.ospf, at: offset, .truncated(needed: OSPFLSAHeader.length, available: 0)) }
            return nil
        }
        guard offset + OSPFLSAHeader.length <= end else {
            throw DecodeStop(.ospf, at: offset, .truncated(needed: OSPFLSAHeader.length, available: end - offset))
        }
        // In bounds: 20 bytes checked above.
        let o = offset
        let length = Int(s.u16(o + 18))
        let h = OSPFLSAHeader(
            offset: o, age: s.u16(o), options: version == 2 ? s.u8(o + 2) : 0,
            type: version == 2 ? UInt16(s.u8(o + 3)) : s.u16(o + 2),
            linkStateID: IPv4Address(rawValue: s.u32(o + 4)), advertisingRouter: IPv4Address(rawValue: s.u32(o + 8)),
            sequence: s.u32(o + 12), checksum: s.u16(o + 16), length: length, version: version)
        if headersOnly {
            offset += OSPFLSAHeader.length
        } else {
            guard length >= OSPFLSAHeader.length else { throw DecodeStop(.ospf, at: o, .badLength(field: UInt32(length))) }
            guard o + length <= end else { throw DecodeStop(.ospf, at: o, .truncated(needed: length, available: end - o)) }
            offset += length
        }
        if let r = remaining { remaining = r - 1 }
        return h
    }
}

/// One link of a Router LSA.
public struct OSPFRouterLink: Sendable, BitwiseCopyable, Equatable {
    /// 1 point-to-point, 2 transit network, 3 stub network, 4 virtual link.
    public var type: UInt8
    public var linkID: IPv4Address
    /// The interface address, or the network mask for a stub network.
    public var linkData: IPv4Address
    public var metric: UInt16
    public var tosCount: Int

    /// For a stub network: the advertised prefix (Link ID / Link Data as mask).
    public var stubPrefix: IPPrefix? {
        type == 3 ? IPPrefix(address: .v4(linkID), length: OSPFPrefix.maskLength(linkData)) : nil
    }
}

/// Walks the links of an OSPFv2 Router LSA; each link is checked against the LSA's end.
public struct OSPFRouterLinkCursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int
    var remaining: Int
    /// The router's V/E/B flags.
    public let flags: UInt8

    public init(_ s: borrowing RawSpan, _ lsa: OSPFLSAHeader) throws(DecodeStop) {
        guard lsa.length >= OSPFLSAHeader.length + 4 else { throw DecodeStop(.ospf, at: lsa.offset, .badLength(field: UInt32(lsa.length))) }
        // In bounds: the LSA's length (validated by OSPFLSACursor) covers these 4 bytes.
        flags = s.u8(lsa.bodyOffset)
        remaining = Int(s.u16(lsa.bodyOffset + 2))
        offset = lsa.bodyOffset + 4
        end = lsa.end
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> OSPFRouterLink? {
        guard remaining > 0 else { return nil }
        guard offset + 12 <= end else { throw DecodeStop(.ospf, at: offset, .truncated(needed: 12, available: max(0, end - offset))) }
        // In bounds: 12 bytes checked above.
        let tos = Int(s.u8(offset + 9))
        let link = OSPFRouterLink(
            type: s.u8(offset + 8), linkID: IPv4Address(rawValue: s.u32(offset)),
            linkData: IPv4Address(rawValue: s.u32(offset + 4)), metric: s.u16(offset + 10), tosCount: tos)
        guard offset + 12 + 4 * tos <= end else { throw DecodeStop(.ospf, at: offset, .badLength(field: UInt32(tos))) }
        offset += 12 + 4 * tos
        remaining -= 1
        return link
    }
}

/// The prefix of a Network, Summary, AS-External or NSSA LSA with its metric.
public struct OSPFPrefix: Sendable, BitwiseCopyable, Equatable {
    public var prefix: IPPrefix
    /// 24-bit metric (0 for a Network LSA).
    public var metric: UInt32
    /// AS-External / NSSA: the E bit (type 2 external metric).
    public var externalType2: Bool
    /// AS-External / NSSA: forwarding address and route tag.
    public var forwardingAddress: IPv4Address
    public var routeTag: UInt32
    /// Network LSA: the number of attached routers.
    public var attachedRouters: Int

    /// The prefix length of a network mask (its leading one bits).
    public static func maskLength(_ mask: IPv4Address) -> Int { (~mask.rawValue).leadingZeroBitCount }

    /// Reads the prefix of an OSPFv2 Network (2), Summary (3, 4), AS-External (5) or NSSA (7) LSA; nil for other types.
    public static func parse(_ s: borrowing RawSpan, _ lsa: OSPFLSAHeader) throws(DecodeStop) -> OSPFPrefix? {
        guard lsa.version == 2 else { return nil }
        let b = lsa.bodyOffset
        let need: Int
        switch lsa.type {
        case OSPFLSAType.network: need = 4
        case OSPFLSAType.summaryNetwork, OSPFLSAType.summaryASBR: need = 8
        case OSPFLSAType.asExternal, OSPFLSAType.nssa: need = 16
        default: return nil
        }
        guard lsa.length >= OSPFLSAHeader.length + need else {
            throw DecodeStop(.ospf, at: lsa.offset, .badLength(field: UInt32(lsa.length)))
        }
        // In bounds: `need` bytes of body inside the LSA's validated length.
        let mask = IPv4Address(rawValue: s.u32(b))
        let length = maskLength(mask)
        // Never nil: a mask length is 0…32.
        let prefix = IPPrefix(address: .v4(lsa.linkStateID), length: length) ?? IPPrefix(address: .v4(.any), length: 0)!
        var p = OSPFPrefix(prefix: prefix, metric: 0, externalType2: false, forwardingAddress: .any, routeTag: 0, attachedRouters: 0)
        switch lsa.type {
        case OSPFLSAType.network:
            p.attachedRouters = (lsa.length - OSPFLSAHeader.length - 4) / 4
        case OSPFLSAType.summaryNetwork, OSPFLSAType.summaryASBR:
            p.metric = s.u32(b + 4) & 0x00FF_FFFF
        default:
            let word = s.u32(b + 4)
            p.metric = word & 0x00FF_FFFF
            p.externalType2 = word & 0x8000_0000 != 0
            p.forwardingAddress = IPv4Address(rawValue: s.u32(b + 8))
            p.routeTag = s.u32(b + 12)
        }
        return p
    }
}
