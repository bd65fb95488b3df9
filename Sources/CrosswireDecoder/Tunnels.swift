// Tunnel headers: VXLAN (RFC 7348), GENEVE (RFC 8926), GRE (RFC 2784/2890,
// and the enhanced GRE of PPTP, RFC 2637), ERSPAN type II/III.
//
// VXLAN (8 bytes):
// |R|R|R|R|I|R|R|R|            Reserved                           |
// |                VXLAN Network Identifier (VNI) |   Reserved    |
//
// GENEVE:
// |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
// |        Virtual Network Identifier (VNI)       |    Reserved   |
// |                    Variable-Length Options                    |
//   option: | Option Class (2) | Type (1) |R|R|R| Length (5) | data (Length × 4) |
//
// GRE:
// |C|R|K|S|s|Recur|  Flags  | Ver |         Protocol Type         |
// |      Checksum (optional)      |       Offset (optional)       |
// |                         Key (optional)                        |
// |                 Sequence Number (optional)                    |

/// The kind of tunnel that leads from one level of a packet to the next.
/// Raw values run from 0 in declaration order (`PerTunnelKind` keeps a slot per kind by raw value).
public enum TunnelKind: UInt8, Sendable, BitwiseCopyable, CustomStringConvertible, CaseIterable {
    case vxlan, vxlanGPE, geneve, ipip, sixInFour, fourInSix, sixInSix, gre

    /// The name used in metrics and reports (`vxlan`, `ipip`, `6in4` …).
    public var description: String {
        switch self {
        case .vxlan: "vxlan"
        case .vxlanGPE: "vxlan-gpe"
        case .geneve: "geneve"
        case .ipip: "ipip"
        case .sixInFour: "6in4"
        case .fourInSix: "4in6"
        case .sixInSix: "6in6"
        case .gre: "gre"
        }
    }
}

/// A VXLAN header.
public struct VXLANHeader: Sendable, BitwiseCopyable {
    public static let length = 8
    public var flags: UInt8
    public var vni: UInt32

    /// True when the I flag (a valid VNI) is set.
    public var hasValidVNI: Bool { flags & 0x08 != 0 }

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> VXLANHeader {
        try s.require(length, at: offset, .vxlan)
        // In bounds: 8 bytes checked above.
        return VXLANHeader(flags: s.u8(offset), vni: s.u24(offset + 4))
    }
}

/// A GENEVE header; its options were walked and found well formed.
public struct GENEVEHeader: Sendable, BitwiseCopyable {
    public var version: UInt8
    /// Header length including options.
    public var length: Int
    public var isOAM: Bool
    public var hasCriticalOptions: Bool
    public var protocolType: UInt16
    public var vni: UInt32
    public var optionCount: Int

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> GENEVEHeader {
        try s.require(8, at: offset, .geneve)
        // In bounds: 8 bytes checked above.
        let b0 = s.u8(offset), b1 = s.u8(offset + 1)
        let version = b0 >> 6
        guard version == 0 else { throw DecodeStop(.geneve, at: offset, .badVersion(version)) }
        let total = 8 + Int(b0 & 0x3F) * 4
        try s.require(total, at: offset, .geneve)
        var h = GENEVEHeader(
            version: version, length: total, isOAM: b1 & 0x80 != 0, hasCriticalOptions: b1 & 0x40 != 0,
            protocolType: s.u16(offset + 2), vni: s.u24(offset + 4), optionCount: 0)
        // Walk the options; in bounds: every read is below offset + total, checked above.
        var i = offset + 8
        let end = offset + total
        while i < end {
            guard i + 4 <= end else { throw DecodeStop(.geneve, at: offset, .badLength(field: UInt32(end - i))) }
            let optionLength = 4 + Int(s.u8(i + 3) & 0x1F) * 4
            guard i + optionLength <= end else {
                throw DecodeStop(.geneve, at: offset, .badLength(field: UInt32(optionLength)))
            }
            h.optionCount += 1
            i += optionLength
        }
        return h
    }
}

/// A GRE header (versions 0 and 1).
public struct GREHeader: Sendable, BitwiseCopyable {
    public var flags: UInt16
    public var version: UInt8
    public var protocolType: UInt16
    public var length: Int
    public var checksum: UInt16?
    public var key: UInt32?
    public var sequence: UInt32?

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> GREHeader {
        try s.require(4, at: offset, .gre)
        // In bounds: 4 bytes checked above.
        let word = s.u16(offset)
        let version = UInt8(word & 0x7)
        guard version <= 1 else { throw DecodeStop(.gre, at: offset, .badVersion(version)) }
        let hasChecksum = word & 0x8000 != 0, hasRouting = word & 0x4000 != 0
        let hasKey = word & 0x2000 != 0, hasSequence = word & 0x1000 != 0
        let hasAck = version == 1 && word & 0x0080 != 0
        var length = 4
        if hasChecksum || hasRouting { length += 4 }
        let keyAt = offset + length
        if hasKey { length += 4 }
        let seqAt = offset + length
        if hasSequence { length += 4 }
        if hasAck { length += 4 }
        try s.require(length, at: offset, .gre)
        // In bounds: `length` bytes checked above; each optional field lies inside it.
        var h = GREHeader(
            flags: word & 0xFFF8, version: version, protocolType: s.u16(offset + 2), length: length,
            checksum: hasChecksum ? s.u16(offset + 4) : nil, key: hasKey ? s.u32(keyAt) : nil,
            sequence: hasSequence ? s.u32(seqAt) : nil)
        if hasRouting, version == 0 {
            // Source route entries (RFC 1701): | family (2) | offset (1) | length (1) | data |, ending with length 0.
            var i = offset + length
            while true {
                try s.require(4, at: i, .gre)
                let sreLength = Int(s.u8(i + 3))
                i += 4 + sreLength
                if sreLength == 0 { break }
                guard i - offset <= 4096 else { throw DecodeStop(.gre, at: offset, .badLength(field: UInt32(sreLength))) }
            }
            h.length = i - offset
        }
        return h
    }
}

// VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe), UDP 4790:
// |R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
// |                VXLAN Network Identifier (VNI) |   Reserved    |
//
// NSH (RFC 8300):
// |Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
// |          Service Path Identifier (SPI)        | Service Index |
// |                   Context headers (Length × 4 − 8 bytes)      |

/// A VXLAN-GPE header: like VXLAN, plus a next-protocol byte.
public struct VXLANGPEHeader: Sendable, BitwiseCopyable {
    public static let length = 8
    public static let port: UInt16 = 4790
    public var flags: UInt8
    /// 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH.
    public var nextProtocol: UInt8
    public var vni: UInt32

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> VXLANGPEHeader {
        try s.require(length, at: offset, .vxlanGPE)
        // In bounds: 8 bytes checked above.
        return VXLANGPEHeader(flags: s.u8(offset), nextProtocol: s.u8(offset + 3), vni: s.u24(offset + 4))
    }
}

/// A Network Service Header.
public struct NSHHeader: Sendable, BitwiseCopyable {
    public var length: Int
    /// 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS.
    public var nextProtocol: UInt8
    public var servicePath: UInt32
    public var serviceIndex: UInt8

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> NSHHeader {
        try s.require(8, at: offset, .nsh)
        // In bounds: 8 bytes checked above.
        let version = s.u8(offset) >> 6
        guard version == 0 else { throw DecodeStop(.nsh, at: offset, .badVersion(version)) }
        let length = Int(s.u8(offset + 1) & 0x3F) * 4
        guard length >= 8 else { throw DecodeStop(.nsh, at: offset, .badLength(field: UInt32(length / 4))) }
        try s.require(length, at: offset, .nsh)
        let sp = s.u32(offset + 4)
        return NSHHeader(length: length, nextProtocol: s.u8(offset + 3), servicePath: sp >> 8, serviceIndex: UInt8(sp & 0xFF))
    }
}
