// BGP UPDATE (RFC 4271 §4.3) and its path attributes: AS_PATH / AS4_PATH
// (RFC 6793), COMMUNITIES (RFC 1997), EXTENDED_COMMUNITIES (RFC 4360),
// LARGE_COMMUNITIES (RFC 8092), MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760),
// ADD-PATH path identifiers (RFC 7911).
//
// +-----------------------------------------------------+
// |   Withdrawn Routes Length (2 octets)                |
// +-----------------------------------------------------+
// |   Withdrawn Routes (variable)                       |
// +-----------------------------------------------------+
// |   Total Path Attribute Length (2 octets)            |
// +-----------------------------------------------------+
// |   Path Attributes (variable)                        |
// +-----------------------------------------------------+
// |   Network Layer Reachability Information (variable) |
// +-----------------------------------------------------+
//
// Path attribute: | Flags (1) | Type (1) | Length (1, or 2 when flag 0x10) | Value |
// Prefix:         | [Path Identifier (4), ADD-PATH only] | Length in bits (1) | Prefix (⌈bits/8⌉) |
// AS_PATH segment: | Type (1: AS_SET, 2: AS_SEQUENCE, 3/4: confed) | Count (1) | ASNs (2 or 4 bytes each) |
// MP_REACH_NLRI:  | AFI (2) | SAFI (1) | NH len (1) | Next hop | Reserved (1) | NLRI … |
// MP_UNREACH_NLRI: | AFI (2) | SAFI (1) | Withdrawn routes … |

/// The three sections of an UPDATE, validated to lie inside the message.
public struct BGPUpdate: Sendable, BitwiseCopyable {
    public var withdrawnOffset: Int
    public var withdrawnEnd: Int
    public var attributesOffset: Int
    public var attributesEnd: Int
    public var nlriOffset: Int
    public var nlriEnd: Int

    public static func parse(_ s: borrowing RawSpan, _ h: BGPHeader) throws(DecodeStop) -> BGPUpdate {
        let b = h.bodyOffset
        // In bounds: BGPHeader.parse validated length ≥ 23 (19 + 2 + 2) and the whole message captured.
        let wlen = Int(s.u16(b))
        guard b + 2 + wlen + 2 <= h.end else { throw DecodeStop(.bgp, at: b, .badLength(field: UInt32(wlen))) }
        let a = b + 2 + wlen
        // In bounds: a + 2 ≤ end checked above.
        let alen = Int(s.u16(a))
        guard a + 2 + alen <= h.end else { throw DecodeStop(.bgp, at: a, .badLength(field: UInt32(alen))) }
        return BGPUpdate(
            withdrawnOffset: b + 2, withdrawnEnd: a, attributesOffset: a + 2, attributesEnd: a + 2 + alen,
            nlriOffset: a + 2 + alen, nlriEnd: h.end)
    }

    /// True for the IPv4 unicast End-of-RIB marker (RFC 4724): an UPDATE with nothing in it.
    public var isIPv4EndOfRIB: Bool {
        withdrawnEnd == withdrawnOffset && attributesEnd == attributesOffset && nlriEnd == nlriOffset
    }
}

/// Path attribute type codes (IANA).
public enum BGPAttributeType {
    public static let origin: UInt8 = 1
    public static let asPath: UInt8 = 2
    public static let nextHop: UInt8 = 3
    public static let multiExitDisc: UInt8 = 4
    public static let localPref: UInt8 = 5
    public static let atomicAggregate: UInt8 = 6
    public static let aggregator: UInt8 = 7
    public static let communities: UInt8 = 8
    public static let originatorID: UInt8 = 9
    public static let clusterList: UInt8 = 10
    public static let mpReachNLRI: UInt8 = 14
    public static let mpUnreachNLRI: UInt8 = 15
    public static let extendedCommunities: UInt8 = 16
    public static let as4Path: UInt8 = 17
    public static let as4Aggregator: UInt8 = 18
    public static let largeCommunities: UInt8 = 32
}

/// One path attribute: flags, type and where its value lies (inside the
/// attributes section, validated by the cursor). Unknown types are kept as
/// type + flags + length.
public struct BGPPathAttribute: Sendable, BitwiseCopyable {
    public var flags: UInt8
    public var type: UInt8
    public var valueOffset: Int
    public var length: Int
    public var valueEnd: Int { valueOffset + length }

    public var isOptional: Bool { flags & 0x80 != 0 }
    public var isTransitive: Bool { flags & 0x40 != 0 }
    public var isPartial: Bool { flags & 0x20 != 0 }
    public var hasExtendedLength: Bool { flags & 0x10 != 0 }

    /// ORIGIN: 0 IGP, 1 EGP, 2 INCOMPLETE.
    public func origin(in s: borrowing RawSpan) throws(DecodeStop) -> UInt8 {
        try expectLength(1)
        // In bounds: length 1 checked above, inside the validated attribute.
        return s.u8(valueOffset)
    }

    /// NEXT_HOP (IPv4).
    public func nextHop(in s: borrowing RawSpan) throws(DecodeStop) -> IPv4Address {
        try expectLength(4)
        // In bounds: length 4 checked above.
        return IPv4Address(rawValue: s.u32(valueOffset))
    }

    /// MULTI_EXIT_DISC or LOCAL_PREF (4 bytes).
    public func value32(in s: borrowing RawSpan) throws(DecodeStop) -> UInt32 {
        try expectLength(4)
        // In bounds: length 4 checked above.
        return s.u32(valueOffset)
    }

    /// AGGREGATOR / AS4_AGGREGATOR: 2- or 4-byte AS (by the length, 6 or 8) and the router's address.
    public func aggregator(in s: borrowing RawSpan) throws(DecodeStop) -> (asn: UInt32, address: IPv4Address) {
        switch length {
        // In bounds: the length (6 or 8) is inside the validated attribute.
        case 6: return (UInt32(s.u16(valueOffset)), IPv4Address(rawValue: s.u32(valueOffset + 2)))
        case 8: return (s.u32(valueOffset), IPv4Address(rawValue: s.u32(valueOffset + 4)))
        default: throw DecodeStop(.bgp, at: valueOffset, .badLength(field: UInt32(length)))
        }
    }

    /// Visits each COMMUNITIES value (4 bytes each).
    public func forEachCommunity(in s: borrowing RawSpan, _ body: (UInt32) -> Void) throws(DecodeStop) {
        try expectMultiple(of: 4)
        var i = valueOffset
        // In bounds: the length is a multiple of 4 inside the validated attribute.
        while i < valueEnd { body(s.u32(i)); i += 4 }
    }

    /// Visits each EXTENDED_COMMUNITIES value (8 bytes each: type, subtype, 6 bytes of value).
    public func forEachExtendedCommunity(in s: borrowing RawSpan, _ body: (UInt64) -> Void) throws(DecodeStop) {
        try expectMultiple(of: 8)
        var i = valueOffset
        // In bounds: the length is a multiple of 8 inside the validated attribute.
        while i < valueEnd { body(s.u64(i)); i += 8 }
    }

    /// Visits each LARGE_COMMUNITIES value (global administrator, local data 1, local data 2).
    public func forEachLargeCommunity(in s: borrowing RawSpan, _ body: (UInt32, UInt32, UInt32) -> Void) throws(DecodeStop) {
        try expectMultiple(of: 12)
        var i = valueOffset
        // In bounds: the length is a multiple of 12 inside the validated attribute.
        while i < valueEnd { body(s.u32(i), s.u32(i + 4), s.u32(i + 8)); i += 12 }
    }

    func expectLength(_ n: Int) throws(DecodeStop) {
        guard length == n else { throw DecodeStop(.bgp, at: valueOffset, .badLength(field: UInt32(length))) }
    }

    func expectMultiple(of n: Int) throws(DecodeStop) {
        guard length % n == 0 else { throw DecodeStop(.bgp, at: valueOffset, .badLength(field: UInt32(length))) }
    }
}

/// Walks the path attributes of an UPDATE. Each step validates the
/// attribute's header and length against the section's end and advances by
/// at least 3 bytes.
public struct BGPAttributeCursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int

    public init(_ update: BGPUpdate) {
        offset = update.attributesOffset
        end = update.attributesEnd
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> BGPPathAttribute? {
        guard offset < end else { return nil }
        guard offset + 3 <= end else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(end - offset))) }
        // In bounds: 3 bytes checked above, inside the validated section.
        let flags = s.u8(offset), type = s.u8(offset + 1)
        let extended = flags & 0x10 != 0
        let headerLength = extended ? 4 : 3
        guard offset + headerLength <= end else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(end - offset))) }
        // In bounds: the header length checked just above.
        let len = extended ? Int(s.u16(offset + 2)) : Int(s.u8(offset + 2))
        let value = offset + headerLength
        guard value + len <= end else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(len))) }
        offset = value + len
        return BGPPathAttribute(flags: flags, type: type, valueOffset: value, length: len)
    }
}

/// One AS_PATH segment; its ASNs lie inside the validated attribute.
public struct BGPASPathSegment: Sendable, BitwiseCopyable {
    /// 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET.
    public var type: UInt8
    public var count: Int
    public var asnOffset: Int
    /// 2 or 4.
    public var asSize: Int

    /// The `i`-th AS of the segment, `i < count`.
    public func asn(_ i: Int, in s: borrowing RawSpan) -> UInt32 {
        precondition(i >= 0 && i < count)
        // In bounds: the cursor validated count × asSize bytes at asnOffset.
        return asSize == 4 ? s.u32(asnOffset + 4 * i) : UInt32(s.u16(asnOffset + 2 * i))
    }
}

/// Walks the segments of an AS_PATH or AS4_PATH attribute.
public struct BGPASPathCursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int
    public let asSize: Int

    /// `asSize` is 4 for AS4_PATH and for AS_PATH when both speakers have the
    /// 4-octet AS capability, else 2; see `BGPASPathCursor.guessASSize`.
    public init(_ attribute: BGPPathAttribute, asSize: Int) {
        offset = attribute.valueOffset
        end = attribute.valueEnd
        self.asSize = asSize == 4 ? 4 : 2
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> BGPASPathSegment? {
        guard offset < end else { return nil }
        guard offset + 2 <= end else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(end - offset))) }
        // In bounds: 2 bytes checked above.
        let type = s.u8(offset), count = Int(s.u8(offset + 1))
        guard type >= 1 && type <= 4 else { throw DecodeStop(.bgp, at: offset, .badField(UInt32(type))) }
        guard offset + 2 + count * asSize <= end else { throw DecodeStop(.bgp, at: offset, .badLength(field: UInt32(count))) }
        let segment = BGPASPathSegment(type: type, count: count, asnOffset: offset + 2, asSize: asSize)
        offset += 2 + count * asSize
        return segment
    }

    /// Guesses the AS size of an AS_PATH when the session's capabilities are
    /// unknown (capture started after the OPENs), like tshark's heuristic: the
    /// size whose segments tile the attribute exactly; when both do, 4 if a
    /// 2-byte reading gives AS 0 (reserved), else 2.
    public static func guessASSize(_ attribute: BGPPathAttribute, in s: borrowing RawSpan) -> Int {
        let fits2 = tiles(attribute, size: 2, in: s), fits4 = tiles(attribute, size: 4, in: s)
        if fits4 && !fits2 { return 4 }
        if fits2 && fits4 {
            var cursor = BGPASPathCursor(attribute, asSize: 2)
            while let seg = try? cursor.next(s) {
                for i in 0..<seg.count where seg.asn(i, in: s) == 0 { return 4 }
            }
        }
        return 2
    }

    static func tiles(_ attribute: BGPPathAttribute, size: Int, in s: borrowing RawSpan) -> Bool {
        var cursor = BGPASPathCursor(attribute, asSize: size)
        while true {
            do throws(DecodeStop) {
                guard try cursor.next(s) != nil else { return true }
            } catch { return false }
        }
    }
}

/// The AS path in two numbers: the origin AS (the last AS of the last
/// AS_SEQUENCE; nil when the path is empty or ends in an AS_SET) and the
/// path length for route selection (an AS_SET counts 1, confederation segments 0).
public struct BGPASPathSummary: Sendable, BitwiseCopyable, Equatable {
    public var originAS: UInt32?
    public var length: Int
    /// The first AS (the neighbour's), nil when empty.
    public var firstAS: UInt32?

    public static let empty = BGPASPathSummary(originAS: nil, length: 0, firstAS: nil)

    public static func of(_ attribute: BGPPathAttribute, asSize: Int, in s: borrowing RawSpan) throws(DecodeStop) -> BGPASPathSummary {
        var summary = BGPASPathSummary.empty
        var cursor = BGPASPathCursor(attribute, asSize: asSize)
        while let seg = try cursor.next(s) {
            switch seg.type {
            case 2:
                summary.length += seg.count
                if seg.count > 0 {
                    if summary.firstAS == nil { summary.firstAS = seg.asn(0, in: s) }
                    summary.originAS = seg.asn(seg.count - 1, in: s)
                }
            case 1:
                summary.length += 1
                summary.originAS = nil
            default:
                break
            }
        }
        return summary
    }
}

/// One NLRI or withdrawn prefix, with its ADD-PATH path identifier when present.
public struct BGPPrefix: Sendable, BitwiseCopyable, Equatable {
    public var prefix: IPPrefix
    public var pathID: UInt32?
    /// Offset of the prefix's first byte (the path id or length byte).
    public var offset: Int
}

/// Walks a list of prefixes (withdrawn routes, NLRI, or the NLRI of
/// MP_REACH/MP_UNREACH for unicast/multicast SAFIs). Each step validates the
/// length byte (≤ 32 or ≤ 128) and that the prefix's bytes are inside the
/// list, and advances by at least one byte.
public struct BGPPrefixCursor: Sendable, BitwiseCopyable {
    var offset: Int
    let end: Int
    /// True for IPv6 prefixes.
    public let isIPv6: Bool
    /// True when each prefix starts with a 4-byte ADD-PATH path identifier.
    public let addPath: Bool

    public init(offset: Int, end: Int, isIPv6: Bool, addPath: Bool) {
        self.offset = offset; self.end = end; self.isIPv6 = isIPv6; self.addPath = addPath
    }

    public mutating func next(_ s: borrowing RawSpan) throws(DecodeStop) -> BGPPrefix? {
        guard offset < end else { return nil }
        let start = offset
        var at = offset
        var pathID: UInt32?
        if addPath {
            guard at + 5 <= end else { throw DecodeStop(.bgp, at: at, .badLength(field: UInt32(end - at))) }
            // In bounds: 5 bytes checked above.
            pathID = s.u32(at)
            at += 4
        }
        // In bounds: at < end (checked above, or at + 5 ≤ end for ADD-PATH).
        let bits = Int(s.u8(at))
        let width = isIPv6 ? 128 : 32
        guard bits <= width else { throw DecodeStop(.bgp, at: at, .badField(UInt32(bits))) }
        let bytes = (bits + 7) / 8
        guard at + 1 + bytes <= end else { throw DecodeStop(.bgp, at: at, .badLength(field: UInt32(bits))) }
        var high: UInt64 = 0, low: UInt64 = 0
        // In bounds: `bytes` bytes after the length byte checked above.
        for i in 0..<bytes {
            let b = UInt64(s.u8(at + 1 + i))
            if i < 8 { high |= b << UInt64(56 - 8 * i) } else { low |= b << UInt64(56 - 8 * (i - 8)) }
        }
        offset = at + 1 + bytes
        let address: IPAddress = isIPv6
            ? .v6(IPv6Address(high: high, low: low)) : .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: high >> 32)))
        // Never nil: bits ≤ width checked above.
        guard let prefix = IPPrefix(address: address, length: bits) else {
            throw DecodeStop(.bgp, at: at, .badField(UInt32(bits)))
        }
        return BGPPrefix(prefix: prefix, pathID: pathID, offset: start)
    }

    /// Decides whether a prefix list carries ADD-PATH path ids when the session
    /// did not say (`negotiated` nil), like tshark 4.0's `detect_add_path_prefix4`:
    /// ADD-PATH when the plain reading is invalid (a length over 32/128, an
    /// overrun, or bits set after a prefix's length — `bgp-addpath.pcap`,
    /// whose plain reading fits but has host bits set) and the ADD-PATH
    /// reading is valid.
    public static func usesAddPath(offset: Int, end: Int, isIPv6: Bool, negotiated: Bool?, in s: borrowing RawSpan) -> Bool {
        if let negotiated { return negotiated }
        guard offset < end else { return false }
        let width = isIPv6 ? 128 : 32
        if isClean(offset: offset, end: end, width: width, pathIDs: false, in: s) { return false }
        return isClean(offset: offset, end: end, width: width, pathIDs: true, in: s)
    }

    /// Every entry's length is ≤ `width`, fits before `end`, and has no bits set past its length.
    static func isClean(offset: Int, end: Int, width: Int, pathIDs: Bool, in s: borrowing RawSpan) -> Bool {
        var o = offset
        while o < end {
            if pathIDs { o += 4; guard o < end else { return false } }
            // In bounds: o < end ≤ the validated list end.
            let bits = Int(s.u8(o))
            guard bits <= width else { return false }
            o += 1 + (bits + 7) / 8
            guard o <= end else { return false }
            // In bounds: o - 1 < end.
            if bits % 8 > 0, s.u8(o - 1) & (0xFF >> UInt8(bits % 8)) != 0 { return false }
        }
        return true
    }
}

/// MP_REACH_NLRI: the address family, the next hop and where the NLRI lies.
public struct BGPMPReach: Sendable, BitwiseCopyable {
    public var afi: UInt16
    public var safi: UInt8
    /// The next hop for IPv4 (4 bytes, or 12 with a route distinguisher) and
    /// IPv6 (16 or 32 bytes, global first); nil for other forms.
    public var nextHop: IPAddress?
    /// The IPv6 link-local next hop of a 32-byte next hop.
    public var linkLocalNextHop: IPv6Address?
    public var nlriOffset: Int
    public var nlriEnd: Int

    /// True for IPv4/IPv6 unicast or multicast, whose NLRI are plain prefixes.
    public var hasPlainPrefixes: Bool {
        (afi == BGPAFI.ipv4 || afi == BGPAFI.ipv6) && (safi == BGPSAFI.unicast || safi == BGPSAFI.multicast)
    }

    public static func parse(_ s: borrowing RawSpan, _ a: BGPPathAttribute) throws(DecodeStop) -> BGPMPReach {
        guard a.length >= 5 else { throw DecodeStop(.bgp, at: a.valueOffset, .badLength(field: UInt32(a.length))) }
        let v = a.valueOffset
        // In bounds: 5 bytes checked above, inside the validated attribute.
        let afi = s.u16(v), safi = s.u8(v + 2), nhLength = Int(s.u8(v + 3))
        guard 4 + nhLength + 1 <= a.length else { throw DecodeStop(.bgp, at: v + 3, .badLength(field: UInt32(nhLength))) }
        var r = BGPMPReach(afi: afi, safi: safi, nextHop: nil, linkLocalNextHop: nil,
                           nlriOffset: v + 4 + nhLength + 1, nlriEnd: a.valueEnd)
        let nh = v + 4
        // In bounds: nhLength bytes at nh checked above.
        switch nhLength {
        case 4: r.nextHop = .v4(IPv4Address(rawValue: s.u32(nh)))
        case 12 where afi == BGPAFI.ipv4: r.nextHop = .v4(IPv4Address(rawValue: s.u32(nh + 8)))
        case 16: r.nextHop = .v6(s.ipv6(nh))
        case 24 where afi == BGPAFI.ipv6: r.nextHop = .v6(s.ipv6(nh + 8))
        case 32:
            r.nextHop = .v6(s.ipv6(nh))
            r.linkLocalNextHop = s.ipv6(nh + 16)
        default: break
        }
        return r
    }

    /// A cursor over the NLRI (only meaningful when `hasPlainPrefixes`).
    public func prefixes(addPath: Bool) -> BGPPrefixCursor {
        BGPPrefixCursor(offset: nlriOffset, end: nlriEnd, isIPv6: afi == BGPAFI.ipv6, addPath: addPath)
    }
}

/// MP_UNREACH_NLRI: the address family and where the withdrawn routes lie.
public struct BGPMPUnreach: Sendable, BitwiseCopyable {
    public var afi: UInt16
    public var safi: UInt8
    public var withdrawnOffset: Int
    public var withdrawnEnd: Int

    public var hasPlainPrefixes: Bool {
        (afi == BGPAFI.ipv4 || afi == BGPAFI.ipv6) && (safi == BGPSAFI.unicast || safi == BGPSAFI.multicast)
    }

    public static func parse(_ s: borrowing RawSpan, _ a: BGPPathAttribute) throws(DecodeStop) -> BGPMPUnreach {
        guard a.length >= 3 else { throw DecodeStop(.bgp, at: a.valueOffset, .badLength(field: UInt32(a.length))) }
        // In bounds: 3 bytes checked above, inside the validated attribute.
        return BGPMPUnreach(afi: s.u16(a.valueOffset), safi: s.u8(a.valueOffset + 2),
                            withdrawnOffset: a.valueOffset + 3, withdrawnEnd: a.valueEnd)
    }

    public func prefixes(addPath: Bool) -> BGPPrefixCursor {
        BGPPrefixCursor(offset: withdrawnOffset, end: withdrawnEnd, isIPv6: afi == BGPAFI.ipv6, addPath: addPath)
    }
}
