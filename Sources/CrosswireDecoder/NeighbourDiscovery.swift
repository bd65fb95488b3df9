// ICMPv6 neighbour discovery (RFC 4861 §4.3, §4.4): which link-layer address
// a solicitation or advertisement names.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Code      |          Checksum             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |            Reserved / flags (R, S, O)                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Target Address (16 bytes; payloadOffset points here) |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   Options: type (1), length in units of 8 bytes (1), value …
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-

/// A neighbour solicitation (135) or advertisement (136) and its link-layer address option.
public struct NeighbourDiscovery: Sendable, BitwiseCopyable {
    /// 135 (solicitation) or 136 (advertisement).
    public var type: UInt8
    public var target: IPv6Address
    /// The source link-layer address option of a solicitation, the target link-layer
    /// address option of an advertisement; nil when the message has none.
    public var linkLayerAddress: MACAddress?

    /// True for the ICMPv6 types that claim an address: solicitation and advertisement.
    @inlinable
    public static func claims(_ icmpType: UInt8) -> Bool { icmpType == 135 || icmpType == 136 }

    /// The message whose ICMPv6 fields are `t`, read from the frame's `bytes`; nil when
    /// `t` is not a solicitation or advertisement, or its body is cut short.
    public init?(_ t: TransportFields, bytes: borrowing RawSpan) {
        guard t.kind == .icmpv6, Self.claims(t.icmpType), t.capturedPayloadLength >= 20 else { return nil }
        let body = t.payloadOffset  // after type, code, checksum and the 4 reserved/flag bytes
        let end = t.payloadOffset + t.capturedPayloadLength
        guard bytes.byteCount >= end else { return nil }
        type = t.icmpType
        // In bounds: body + 20 ≤ end ≤ byteCount, checked above.
        target = bytes.ipv6(body)
        linkLayerAddress = nil
        let wanted: UInt8 = type == 136 ? 2 : 1
        var at = body + 16
        while at + 8 <= end {
            // In bounds: at + 8 ≤ end; an option is at least 8 bytes (length in units of 8).
            let optionType = bytes.u8(at)
            let units = Int(bytes.u8(at + 1))
            guard units > 0 else { return }
            if optionType == wanted, units == 1 {
                linkLayerAddress = bytes.mac(at + 2)
                return
            }
            at += units * 8
        }
    }
}
