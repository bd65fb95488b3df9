// UDP (RFC 768), TCP (RFC 9293), ICMP (RFC 792) and ICMPv6 (RFC 4443).
//
// UDP:  | Source Port (2) | Destination Port (2) | Length (2) | Checksum (2) |
//
// TCP:
//  0                   1                   2                   3
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Source Port          |       Destination Port        |
// |                        Sequence Number                        |
// |                    Acknowledgment Number                      |
// |  Data |       |C|E|U|A|P|R|S|F|                               |
// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
// |           Checksum            |         Urgent Pointer        |
// |                    Options (Data Offset > 5)                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// ICMP / ICMPv6: | Type (1) | Code (1) | Checksum (2) | Rest of header (4) |

/// The fields of a UDP header.
public struct UDPHeader: Sendable, BitwiseCopyable {
    public static let length = 8
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The Length field (header + data); 0 is allowed for IPv6 jumbograms.
    public var datagramLength: Int

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> UDPHeader {
        try s.require(length, at: offset, .udp)
        // In bounds: 8 bytes checked above.
        return UDPHeader(sourcePort: s.u16(offset), destinationPort: s.u16(offset + 2), datagramLength: Int(s.u16(offset + 4)))
    }
}

/// TCP flag bits as they sit in the low 9 bits of the data-offset word.
public struct TCPFlags: OptionSet, Sendable, BitwiseCopyable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ae = TCPFlags(rawValue: 0x100)
}

/// The fields of a TCP header. Options are walked and checked; the ones the
/// analysers use (MSS, window scale) are kept.
public struct TCPHeader: Sendable, BitwiseCopyable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgement: UInt32
    public var headerLength: Int
    public var flags: TCPFlags
    public var window: UInt16
    /// The MSS option's value, 0 when absent.
    public var maximumSegmentSize: UInt16
    /// The window-scale option's shift, -1 when absent.
    public var windowScale: Int8
    /// The MD5 signature option (kind 19, RFC 2385) is present: BGP sessions with a password.
    public var md5Signature = false

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> TCPHeader {
        try s.require(20, at: offset, .tcp)
        // In bounds: 20 bytes checked above.
        let word = s.u16(offset + 12)
        let hlen = Int(word >> 12) * 4
        guard hlen >= 20 else { throw DecodeStop(.tcp, at: offset, .badLength(field: UInt32(word >> 12))) }
        try s.require(hlen, at: offset, .tcp)
        var h = TCPHeader(
            sourcePort: s.u16(offset), destinationPort: s.u16(offset + 2), sequence: s.u32(offset + 4),
            acknowledgement: s.u32(offset + 8), headerLength: hlen, flags: TCPFlags(rawValue: word & 0x1FF),
            window: s.u16(offset + 14), maximumSegmentSize: 0, windowScale: -1)
        // Walk the options; in bounds: every read is below offset + hlen, checked above.
        var i = offset + 20
        let end = offset + hlen
        while i < end {
            let kind = s.u8(i)
            if kind == 0 { break }
            if kind == 1 { i += 1; continue }
            guard i + 1 < end else { throw DecodeStop(.tcp, at: offset, .badField(UInt32(kind))) }
            let len = Int(s.u8(i + 1))
            guard len >= 2, i + len <= end else { throw DecodeStop(.tcp, at: offset, .badLength(field: UInt32(len))) }
            if kind == 2, len == 4 { h.maximumSegmentSize = s.u16(i + 2) }
            if kind == 3, len == 3 { h.windowScale = Int8(truncatingIfNeeded: s.u8(i + 2)) }
            if kind == 19 { h.md5Signature = true }
            i += len
        }
        return h
    }

    /// Only the two ports (the first 4 bytes), as quoted inside an ICMP error; `layer` (TCP or UDP) names a cut.
    public static func parsePorts(_ s: borrowing RawSpan, at offset: Int, layer: Layer = .tcp) throws(DecodeStop) -> (UInt16, UInt16) {
        try s.require(4, at: offset, layer)
        // In bounds: 4 bytes checked above.
        return (s.u16(offset), s.u16(offset + 2))
    }
}

/// The fields of an ICMP or ICMPv6 header.
public struct ICMPHeader: Sendable, BitwiseCopyable {
    public static let length = 8
    public var type: UInt8
    public var code: UInt8
    /// The 4 bytes after the checksum: identifier and sequence for echo, the
    /// next-hop MTU (low 16 bits) for fragmentation-needed, the MTU for packet-too-big.
    public var rest: UInt32

    public var identifier: UInt16 { UInt16(truncatingIfNeeded: rest >> 16) }
    public var sequence: UInt16 { UInt16(truncatingIfNeeded: rest) }

    public static func parse(_ s: borrowing RawSpan, at offset: Int, layer: Layer) throws(DecodeStop) -> ICMPHeader {
        try s.require(length, at: offset, layer)
        // In bounds: 8 bytes checked above.
        return ICMPHeader(type: s.u8(offset), code: s.u8(offset + 1), rest: s.u32(offset + 4))
    }

    /// True when an ICMP (v4) message of this type quotes the packet that caused it.
    public static func v4QuotesPacket(_ type: UInt8) -> Bool {
        type == 3 || type == 4 || type == 5 || type == 11 || type == 12
    }

    /// True when an ICMPv6 message of this type quotes the packet that caused it.
    public static func v6QuotesPacket(_ type: UInt8) -> Bool { type >= 1 && type <= 4 }
}
