// IPv6 (RFC 8200) and its extension headers.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Payload Length        |  Next Header  |   Hop Limit   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                Source Address (16 bytes)                      |
// |             Destination Address (16 bytes)                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Extension header (hop-by-hop, routing, destination options):
// | Next Header | Hdr Ext Len (8-byte units, not counting the first 8) | …
// Fragment header (8 bytes):
// | Next Header | Reserved | Fragment Offset (13) |Res|M| Identification (32) |
// Authentication header: | Next Header | Payload Len (4-byte units, minus 2) | …

/// The fields of an IPv6 header.
public struct IPv6Header: Sendable, BitwiseCopyable {
    public static let length = 40
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    public var payloadLength: Int
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> IPv6Header {
        try s.require(1, at: offset, .ipv6)
        // In bounds: 1 byte checked above.
        let version = s.u8(offset) >> 4
        guard version == 6 else { throw DecodeStop(.ipv6, at: offset, .badVersion(version)) }
        try s.require(length, at: offset, .ipv6)
        // In bounds: 40 bytes checked above.
        let first = s.u32(offset)
        return IPv6Header(
            trafficClass: UInt8(truncatingIfNeeded: first >> 20), flowLabel: first & 0xFFFFF,
            payloadLength: Int(s.u16(offset + 4)), nextHeader: s.u8(offset + 6), hopLimit: s.u8(offset + 7),
            source: s.ipv6(offset + 8), destination: s.ipv6(offset + 24))
    }
}

/// One IPv6 extension header, as met while walking the chain.
public struct IPv6ExtensionHeader: Sendable, BitwiseCopyable {
    /// The header's own protocol number (0, 43, 44, 51, 60 …).
    public var kind: UInt8
    public var nextHeader: UInt8
    public var offset: Int
    public var length: Int
    /// Fragment header: offset in 8-byte units, more-fragments flag, identification.
    public var fragmentOffset: UInt16
    public var moreFragments: Bool
    public var identification: UInt32

    /// The layer the header is recorded as.
    public var layer: Layer {
        switch kind {
        case IPProtocol.hopByHop: .ipv6HopByHop
        case IPProtocol.routing: .ipv6Routing
        case IPProtocol.fragment: .ipv6Fragment
        case IPProtocol.ah: .ipv6AH
        default: .ipv6DestinationOptions
        }
    }

    /// True for the protocol numbers that are extension headers walked here.
    public static func isExtension(_ p: UInt8) -> Bool {
        p == IPProtocol.hopByHop || p == IPProtocol.routing || p == IPProtocol.fragment
            || p == IPProtocol.destinationOptions || p == IPProtocol.ah || p == 135 || p == 139 || p == 140
    }

    /// Reads the extension header of type `kind` at `offset`, which must end by `end`.
    public static func parse(_ s: borrowing RawSpan, kind: UInt8, at offset: Int, end: Int) throws(DecodeStop) -> IPv6ExtensionHeader {
        let layer: Layer = kind == IPProtocol.fragment ? .ipv6Fragment : kind == IPProtocol.ah ? .ipv6AH
            : kind == IPProtocol.routing ? .ipv6Routing : kind == IPProtocol.hopByHop ? .ipv6HopByHop : .ipv6DestinationOptions
        try s.require(8, at: offset, layer)
        // In bounds: 8 bytes checked above.
        let next = s.u8(offset)
        var h = IPv6ExtensionHeader(
            kind: kind, nextHeader: next, offset: offset, length: 8, fragmentOffset: 0, moreFragments: false,
            identification: 0)
        switch kind {
        case IPProtocol.fragment:
            let field = s.u16(offset + 2)
            h.fragmentOffset = field >> 3
            h.moreFragments = field & 1 != 0
            h.identification = s.u32(offset + 4)
        case IPProtocol.ah:
            h.length = (Int(s.u8(offset + 1)) + 2) * 4
        default:
            h.length = (Int(s.u8(offset + 1)) + 1) * 8
        }
        guard offset + h.length <= end else {
            throw DecodeStop(layer, at: offset, .badLength(field: UInt32(h.length)))
        }
        try s.require(h.length, at: offset, layer)
        return h
    }
}
