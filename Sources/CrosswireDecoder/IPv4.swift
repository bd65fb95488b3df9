// IPv4 (RFC 791).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Identification        |Flags|      Fragment Offset    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Time to Live |    Protocol   |         Header Checksum       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Source Address                          |
// |                    Destination Address                        |
// |                    Options (IHL > 5)                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// The fields of an IPv4 header.
public struct IPv4Header: Sendable, BitwiseCopyable {
    public var headerLength: Int
    public var tos: UInt8
    /// The Total Length field.
    public var totalLength: Int
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// Fragment offset in 8-byte units.
    public var fragmentOffset: UInt16
    public var ttl: UInt8
    public var protocolNumber: UInt8
    public var checksum: UInt16
    public var source: IPv4Address
    public var destination: IPv4Address

    /// Reads and validates the header at `offset`: version 4, IHL ≥ 5, the
    /// options walked, and Total Length ≥ IHL.
    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> IPv4Header {
        try s.require(1, at: offset, .ipv4)
        // In bounds: 1 byte checked above.
        let vihl = s.u8(offset)
        guard vihl >> 4 == 4 else { throw DecodeStop(.ipv4, at: offset, .badVersion(vihl >> 4)) }
        let ihl = Int(vihl & 0x0F) * 4
        guard ihl >= 20 else { throw DecodeStop(.ipv4, at: offset, .badLength(field: UInt32(vihl & 0x0F))) }
        try s.require(ihl, at: offset, .ipv4)
        // In bounds: ihl ≥ 20 bytes checked above.
        let total = Int(s.u16(offset + 2))
        guard total == 0 || total >= ihl else { throw DecodeStop(.ipv4, at: offset, .badLength(field: UInt32(total))) }
        try walkOptions(s, from: offset + 20, to: offset + ihl, header: offset)
        let frag = s.u16(offset + 6)
        return IPv4Header(
            headerLength: ihl, tos: s.u8(offset + 1), totalLength: total, identification: s.u16(offset + 4),
            dontFragment: frag & 0x4000 != 0, moreFragments: frag & 0x2000 != 0, fragmentOffset: frag & 0x1FFF,
            ttl: s.u8(offset + 8), protocolNumber: s.u8(offset + 9), checksum: s.u16(offset + 10),
            source: IPv4Address(rawValue: s.u32(offset + 12)), destination: IPv4Address(rawValue: s.u32(offset + 16)))
    }

    /// Checks that the options between `start` and `end` are well formed
    /// (End, NOP, or type-length-value with a length that fits).
    static func walkOptions(_ s: borrowing RawSpan, from start: Int, to end: Int, header: Int) throws(DecodeStop) {
        var i = start
        while i < end {
            // In bounds: i < end ≤ the validated header length.
            let type = s.u8(i)
            if type == 0 { return }
            if type == 1 { i += 1; continue }
            guard i + 1 < end else { throw DecodeStop(.ipv4, at: header, .badField(UInt32(type))) }
            let len = Int(s.u8(i + 1))
            guard len >= 2, i + len <= end else { throw DecodeStop(.ipv4, at: header, .badLength(field: UInt32(len))) }
            i += len
        }
    }

    /// True when this is one fragment of a larger datagram.
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
}
